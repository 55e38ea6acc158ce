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
  /** Its DATA_DIR (PGlite's folder is `pgdata` in it); removed by stop() unless kept. */
  dataDir: string;
  /** pid of the Next.js server process (for memory figures). */
  webPid: () => number | null;
  /** pid of `npm start`'s own node process (scripts/start.ts, the supervisor). */
  supervisorPid: () => number | null;
  /** pids of the job processes' node processes (the one `npm start` started, then any extra). */
  jobPids: () => number[];
  /** One more job process against the same Redis, as on another machine (see startJobProcess). */
  startJobProcess: () => Promise<ExtraJobProcess>;
  /** Stops extra job processes, then AgentDesk; `keepDataDir` leaves DATA_DIR for the caller to read. */
  stop: (options?: { keepDataDir?: boolean }) => Promise<void>;
  output: () => string;
};

export type ExtraJobProcess = { pid: number; stop: () => Promise<void> };

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

/** Node processes under `root` (itself included) whose command line matches, without their matching descendants. */
function leafProcesses(root: number, command: RegExp): number[] {
  const matching = [root, ...descendants(root)].filter((p) => {
    try {
      return command.test(fs.readFileSync(`/proc/${p}/cmdline`, "utf8"));
    } catch {
      return false;
    }
  });
  // tsx runs the script in a child node process: the child is the one doing the work.
  return matching.filter((p) => !descendants(p).some((d) => matching.includes(d)));
}

function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      // the group is gone already
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 30_000);
  return exited.then(() => clearTimeout(timer));
}

/**
 * Another `tsx jobs/main.ts` with the same Redis, prefix and secrets as the running AgentDesk and
 * a DATA_DIR and health port of its own: job processes on one machine must not share DATA_DIR
 * (each removes stale attempts it finds there at start-up, and mirror locks are per process).
 * Resolves once its health endpoint answers.
 */
async function startExtraJobProcess(root: string, env: Record<string, string>, timeoutMs: number): Promise<ExtraJobProcess & { dataDir: string }> {
  const workerPort = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-jobs-"));
  let output = "";
  const child = spawn(path.join(root, "node_modules", ".bin", "tsx"), ["jobs/main.ts"], {
    cwd: root,
    env: { ...env, NODE_ENV: "production", DATA_DIR: dataDir, WORKER_PORT: String(workerPort) } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (d) => (output = (output + d).slice(-8_000)));
  child.stderr!.on("data", (d) => (output = (output + d).slice(-8_000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    await stopGroup(child, exited);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`extra job process exited during start-up:\n${output.slice(-4000)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${workerPort}/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`extra job process not healthy within ${timeoutMs} ms:\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { pid: child.pid!, dataDir, stop };
}

export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

export async function startAgentDesk(extraEnv: Record<string, string> = {}, timeoutMs = 300_000): Promise<RunningAgentDesk> {
  const root = path.resolve(import.meta.dirname, "..", "..");
  // A caller that must know the address before start-up (e.g. to register it at an identity
  // provider) picks the port itself.
  const port = extraEnv.PORT ? Number(extraEnv.PORT) : await freePort();
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

  const extraJobProcesses: ExtraJobProcess[] = [];
  return {
    url: `http://localhost:${port}`,
    env,
    dataDir,
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
    supervisorPid: () => leafProcesses(child.pid!, /scripts\/start\.ts/)[0] ?? null,
    jobPids: () => [child.pid!, ...extraJobProcesses.map((j) => j.pid)].flatMap((p) => leafProcesses(p, /jobs\/main\.ts/)),
    startJobProcess: async () => {
      const started = await startExtraJobProcess(root, env, timeoutMs);
      extraJobProcesses.push(started);
      return started;
    },
    stop: async (options = {}) => {
      await Promise.all(extraJobProcesses.splice(0).map((j) => j.stop()));
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(timer);
      }
      if (!options.keepDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
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
