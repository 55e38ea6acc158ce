import crypto from "node:crypto";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * A whole AgentDesk (web + job process) started the way a user starts it, `tsx scripts/start.ts`,
 * on free ports with its own data folder and Redis prefix. For browser tests and benchmarks.
 */
export type RunningAgentDesk = {
  url: string;
  env: Record<string, string>;
  /** pid of the Next.js server process (for memory figures). */
  webPid: () => number | null;
  stop: () => Promise<void>;
  output: () => string;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function descendants(pid: number): number[] {
  let out: string;
  try {
    out = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" });
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const line of out.trim().split("\n")) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (!children.has(pp!)) children.set(pp!, []);
    children.get(pp!)!.push(p!);
  }
  const all: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (all.push(c), walk(c)));
  walk(pid);
  return all;
}

export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

export async function startAgentDesk(extraEnv: Record<string, string> = {}, timeoutMs = 300_000): Promise<RunningAgentDesk> {
  const root = path.resolve(import.meta.dirname, "..", "..");
  const port = await freePort();
  const workerPort = await freePort();
  const id = crypto.randomBytes(4).toString("hex");
  // The caller's Redis (tests and benchmarks start one with a password, tests/support/testRedis.ts).
  const redisUrl = extraEnv.REDIS_URL ?? process.env.REDIS_URL;
  if (!redisUrl) throw new Error("startAgentDesk needs REDIS_URL (see tests/support/testRedis.ts)");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `agentdesk-server-${id}-`));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? os.tmpdir(),
    PORT: String(port),
    WORKER_PORT: String(workerPort),
    APP_URL: `http://localhost:${port}`,
    DATA_DIR: dataDir,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `srv${id}:`,
    ALLOW_LOCAL_REPOS: "1",
    AUTH_SECRET: crypto.randomBytes(32).toString("hex"),
    NEXT_TELEMETRY_DISABLED: "1",
    ...extraEnv,
  };
  let output = "";
  const child: ChildProcess = spawn(path.join(root, "node_modules", ".bin", "tsx"), ["scripts/start.ts"], {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`AgentDesk exited during start-up:\n${output.slice(-4000)}`);
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok && /AgentDesk is running/.test(output)) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`AgentDesk did not become healthy within ${timeoutMs} ms:\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }

  return {
    url: `http://localhost:${port}`,
    env,
    output: () => output,
    webPid: () => {
      // The process listening on the web port: the deepest "next" descendant with most memory.
      const candidates = descendants(child.pid!).filter((p) => {
        try {
          return /next/.test(fs.readFileSync(`/proc/${p}/cmdline`, "utf8"));
        } catch {
          return false;
        }
      });
      return candidates.sort((a, b) => rssBytes(b) - rssBytes(a))[0] ?? null;
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs up through the HTTP API and returns a session cookie and an API token. */
export async function signUpOverHttp(baseUrl: string, email: string, password = "correct horse battery") {
  const res = await fetch(`${baseUrl}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ email, password, name: email.split("@")[0] }),
  });
  if (!res.ok) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const tokenRes = await fetch(`${baseUrl}/api/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: baseUrl },
    body: JSON.stringify({ name: "bench" }),
  });
  if (tokenRes.status !== 201) throw new Error(`token creation failed: ${tokenRes.status} ${await tokenRes.text()}`);
  const { token } = (await tokenRes.json()) as { token: string };
  return { cookie, token };
}
