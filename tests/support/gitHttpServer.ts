import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

/**
 * A real git smart-HTTP remote for tests: `git http-backend` (git's own CGI server) behind a
 * small Node server that demands a token as the Basic-auth password, the way GitHub does. It
 * serves the bare repositories under `root`; `urlOf("remote.git")` is what to register.
 */
export type GitHttpServer = {
  urlOf(bareRepoDirName: string): string;
  /** Every request's path and query as the server saw it (to prove no credential is in a URL). */
  requests: { url: string; authorized: boolean }[];
  close(): Promise<void>;
};

export async function startGitHttpServer(root: string, token: string): Promise<GitHttpServer> {
  const requests: GitHttpServer["requests"] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const [scheme, encoded] = (req.headers.authorization ?? "").split(" ");
    const [user, password] = Buffer.from(encoded ?? "", "base64").toString("utf8").split(":");
    const authorized = scheme === "Basic" && password === token;
    requests.push({ url: req.url ?? "", authorized });
    if (!authorized) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="test"' }).end("token required\n");
      return;
    }
    const env: Record<string, string> = {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        GIT_PROJECT_ROOT: path.resolve(root),
        GIT_HTTP_EXPORT_ALL: "1",
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? "GET",
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
        // An authenticated user may push (http-backend enables receive-pack for REMOTE_USER).
        REMOTE_USER: user || "token",
        REMOTE_ADDR: "127.0.0.1",
    };
    // Next.js's types make NODE_ENV required in ProcessEnv; a CGI child needs none.
    const cgi = spawn("git", ["http-backend"], { env: env as NodeJS.ProcessEnv, stdio: "pipe" });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString("utf8").split("\r\n")) {
        const i = line.indexOf(":");
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    cgi.stdout.on("end", () => res.end());
    cgi.on("error", (e) => res.destroy(e));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlOf: (name) => `http://127.0.0.1:${port}/${name}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
