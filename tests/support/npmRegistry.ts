import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

/**
 * A local npm registry stand-in: a small HTTP server on loopback that serves packages the test
 * builds (metadata documents and tarballs made with the real `tar`, with their sha512
 * integrity), so a real `npm ci` in a run's sandbox installs them through the filtering proxy
 * (tests set ALLOW_LOCAL_REPOS, and name `127.0.0.1:<port>` among the setup's hosts). Every
 * request is recorded; tarball downloads are counted per package.
 *
 *   const registry = await startNpmRegistry();
 *   const dep = await registry.publish("left-pad-lite", "1.0.0", { "index.js": "module.exports = 1;\n" });
 *   registry.url          // http://127.0.0.1:<port>/
 *   npmProject(registry, { "left-pad-lite": dep })   // package.json, package-lock.json, .npmrc
 *   registry.downloads("left-pad-lite")
 */

const run = promisify(execFile);

export type PublishedPackage = {
  name: string;
  version: string;
  tarballUrl: string;
  /** `sha512-<base64>`, as npm checks it. */
  integrity: string;
  shasum: string;
};

export type NpmRegistry = {
  url: string;
  /** `127.0.0.1:<port>`: what the setup's hosts must allow. */
  host: string;
  publish(name: string, version: string, files: Record<string, string>): Promise<PublishedPackage>;
  /** Tarball downloads of a package so far. */
  downloads(name: string): number;
  /** Every request so far, as "METHOD /path". */
  requests: string[];
  close(): Promise<void>;
};

type Stored = { pkg: PublishedPackage; tarball: Buffer; manifest: Record<string, unknown> };

export async function startNpmRegistry(): Promise<NpmRegistry> {
  const packages = new Map<string, Map<string, Stored>>();
  const downloadCounts = new Map<string, number>();
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let base = "";

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", base);
    requests.push(`${req.method} ${url.pathname}`);
    const pathname = decodeURIComponent(url.pathname);
    const tarball = /^\/(.+)\/-\/[^/]+-(\d+\.\d+\.\d+)\.tgz$/.exec(pathname);
    if (req.method === "GET" && tarball) {
      const stored = packages.get(tarball[1]!)?.get(tarball[2]!);
      if (!stored) return notFound(res);
      downloadCounts.set(stored.pkg.name, (downloadCounts.get(stored.pkg.name) ?? 0) + 1);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": stored.tarball.length });
      res.end(stored.tarball);
      return;
    }
    const versions = req.method === "GET" ? packages.get(pathname.slice(1)) : undefined;
    if (versions) {
      const all = [...versions.values()];
      const packument = {
        name: all[0]!.pkg.name,
        "dist-tags": { latest: all[all.length - 1]!.pkg.version },
        versions: Object.fromEntries(all.map((s) => [s.pkg.version, s.manifest])),
      };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(packument));
      return;
    }
    // Audits, update checks and anything else: this registry has none.
    notFound(res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}/`;

  return {
    url: base,
    host: `127.0.0.1:${port}`,
    requests,
    downloads: (name) => downloadCounts.get(name) ?? 0,
    async publish(name, version, files) {
      const tarball = await packTarball(name, version, files);
      const pkg: PublishedPackage = {
        name,
        version,
        tarballUrl: `${base}${name}/-/${name}-${version}.tgz`,
        integrity: `sha512-${crypto.createHash("sha512").update(tarball).digest("base64")}`,
        shasum: crypto.createHash("sha1").update(tarball).digest("hex"),
      };
      const manifest = { name, version, main: "index.js", dist: { tarball: pkg.tarballUrl, integrity: pkg.integrity, shasum: pkg.shasum } };
      const versions = packages.get(name) ?? new Map<string, Stored>();
      versions.set(version, { pkg, tarball, manifest });
      packages.set(name, versions);
      return pkg;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function notFound(res: http.ServerResponse) {
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: "Not found" }));
}

// npm's tarballs hold the package under `package/`, with its package.json.
async function packTarball(name: string, version: string, files: Record<string, string>): Promise<Buffer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-npm-pack-"));
  try {
    const root = path.join(dir, "package");
    await fs.mkdir(root);
    const all = { "package.json": JSON.stringify({ name, version, main: "index.js" }, null, 2), ...files };
    for (const [file, content] of Object.entries(all)) {
      await fs.mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await fs.writeFile(path.join(root, file), content);
    }
    const out = path.join(dir, "package.tgz");
    await run("tar", ["-czf", out, "-C", dir, "package"]);
    return await fs.readFile(out);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * The files of a Node project depending on `dependencies` (published to `registry`): its
 * package.json (with `scripts.test`), a package-lock.json (lockfile v3) that `npm ci` installs
 * from exactly, an .npmrc pointing npm at the registry, and a .gitignore for node_modules.
 */
export function npmProject(
  registry: Pick<NpmRegistry, "url">,
  dependencies: Record<string, PublishedPackage>,
  options: { name?: string; testScript?: string } = {},
): Record<string, string> {
  const name = options.name ?? "env-test-project";
  const deps = Object.fromEntries(Object.values(dependencies).map((d) => [d.name, d.version]));
  const packageJson = { name, version: "1.0.0", private: true, scripts: { test: options.testScript ?? "node test.js" }, dependencies: deps };
  const lock = {
    name,
    version: "1.0.0",
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": { name, version: "1.0.0", dependencies: deps },
      ...Object.fromEntries(
        Object.values(dependencies).map((d) => [`node_modules/${d.name}`, { version: d.version, resolved: d.tarballUrl, integrity: d.integrity }]),
      ),
    },
  };
  return {
    "package.json": `${JSON.stringify(packageJson, null, 2)}\n`,
    "package-lock.json": `${JSON.stringify(lock, null, 2)}\n`,
    ".npmrc": `registry=${registry.url}\naudit=false\nfund=false\nupdate-notifier=false\n`,
    ".gitignore": "node_modules/\n",
  };
}

/**
 * A small Node project on the registry: publishes `greeting-lib` and returns the files of a
 * repository depending on it whose `npm test` passes only when it is installed.
 */
export async function greetingProject(registry: NpmRegistry): Promise<Record<string, string>> {
  const dep = await registry.publish("greeting-lib", "1.0.0", { "index.js": "module.exports = (name) => `hello ${name}`;\n" });
  return {
    ...npmProject(registry, { "greeting-lib": dep }),
    "test.js": "const greet = require('greeting-lib');\nif (greet('world') !== 'hello world') process.exit(1);\nconsole.log('tests pass');\n",
  };
}
