import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake GitHub REST API speaking exactly the endpoints AgentDesk uses, with GitHub's JSON
 * shapes: list pull requests (`GET /repos/{o}/{r}/pulls?head=o:branch&state=open`) and
 * create one (`POST /repos/{o}/{r}/pulls`). Requests without the token get 401 as on GitHub.
 */
export type FakePull = { number: number; title: string; body: string; head: string; base: string; state: "open" | "closed"; repo: string };

export type FakeGitHub = {
  url: string;
  pulls: FakePull[];
  calls: { method: string; path: string }[];
  close(): Promise<void>;
};

export async function startFakeGitHub(token: string): Promise<FakeGitHub> {
  const pulls: FakePull[] = [];
  const calls: FakeGitHub["calls"] = [];
  let base = "";
  const view = (p: FakePull) => {
    const [owner] = p.repo.split("/");
    return {
      url: `${base}/repos/${p.repo}/pulls/${p.number}`,
      id: 1000 + p.number,
      html_url: `https://github.example/${p.repo}/pull/${p.number}`,
      number: p.number,
      state: p.state,
      title: p.title,
      body: p.body,
      draft: false,
      head: { label: `${owner}:${p.head}`, ref: p.head, sha: "0".repeat(40) },
      base: { label: `${owner}:${p.base}`, ref: p.base, sha: "0".repeat(40) },
      user: { login: "agentdesk-bot", id: 1, type: "User" },
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    };
  };
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    calls.push({ method: req.method ?? "GET", path: url.pathname + url.search });
    const auth = req.headers.authorization ?? "";
    if (auth !== `token ${token}` && auth !== `Bearer ${token}` && auth !== `bearer ${token}`) {
      send(res, 401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
      return;
    }
    const m = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(url.pathname);
    if (!m) {
      send(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" });
      return;
    }
    const repo = `${m[1]}/${m[2]}`;
    if (req.method === "GET") {
      const head = url.searchParams.get("head");
      const state = url.searchParams.get("state") ?? "open";
      const found = pulls.filter(
        (p) => p.repo === repo && (state === "all" || p.state === state) && (!head || `${m[1]}:${p.head}` === head),
      );
      send(res, 200, found.map(view));
      return;
    }
    if (req.method === "POST") {
      let text = "";
      for await (const chunk of req) text += chunk;
      const body = JSON.parse(text) as { title?: string; body?: string; head?: string; base?: string };
      if (!body.title || !body.head || !body.base) {
        send(res, 422, { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "missing_field" }], status: "422" });
        return;
      }
      if (pulls.some((p) => p.repo === repo && p.head === body.head && p.state === "open")) {
        send(res, 422, {
          message: "Validation Failed",
          errors: [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${m[1]}:${body.head}.` }],
          status: "422",
        });
        return;
      }
      const pull: FakePull = { number: pulls.length + 1, title: body.title, body: body.body ?? "", head: body.head, base: body.base, state: "open", repo };
      pulls.push(pull);
      send(res, 201, view(pull));
      return;
    }
    send(res, 405, { message: "Method Not Allowed" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    pulls,
    calls,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
