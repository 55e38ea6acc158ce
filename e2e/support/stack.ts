import crypto from "node:crypto";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { buildReason } from "../../scripts/lib/buildIfNeeded";
import { freePort } from "../../tests/support/server";
import { startScriptedModel } from "./scriptedModel";

/** What the tests need to know about the running AgentDesk. */
export type E2eStack = {
  url: string;
  databaseUrl: string;
  screensDir: string;
  redisUrl: string;
  redisPrefix: string;
  /** Where a test registers the scripts of the job process's model (e2e/support/scriptedModel.ts). */
  modelControlUrl: string;
  /** The stack's DATA_DIR: a test may reach a running run's workspace (`runs/<id>/attempts/<uuid>/workspace`). */
  dataDir: string;
  /** The web's environment, so a test can start a second web process on the same database and Redis. */
  webEnv: Record<string, string>;
};

const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const SCREENS_DIR = "/tmp/agentdesk-screens";

/** Builds the app when `.next` is missing or older than its sources. */
function buildIfStale(): void {
  const reason = buildReason(ROOT);
  if (!reason) return;
  console.log(`[e2e] building the app (${reason})…`);
  const result = spawnSync(path.join(ROOT, "node_modules", ".bin", "next"), ["build"], {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`next build failed:\n${result.stdout}\n${result.stderr}`);
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

type Child = { name: string; process: ChildProcess; output: () => string; exited: Promise<void> };

/** Starts a process in its own process group, so stopping it stops what it started too. */
function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-200_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { name, process: child, output: () => output, exited };
}

async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const group = -child.process.pid!;
  process.kill(group, "SIGTERM");
  const timer = setTimeout(() => {
    try {
      process.kill(group, "SIGKILL");
    } catch {
      // already gone
    }
  }, 15_000);
  await child.exited;
  clearTimeout(timer);
}

async function waitFor(what: string, check: () => Promise<boolean>, children: Child[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = children.find((c) => c.process.exitCode !== null);
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}:\n${dead.output().slice(-4000)}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${what}:\n${children.map((c) => `--- ${c.name}\n${c.output().slice(-3000)}`).join("\n")}`);
}

async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/**
 * A whole AgentDesk for the browser tests, on the test run's password-protected Redis
 * (`redisUrl`): a fresh PostgreSQL database (so the tests can query it while the server
 * runs), `next start` and the job process on the same env, with their own Redis prefix and
 * data folder, and a scripted model that only the job process knows (as the API key stays in
 * the job process in production). Returns a function that tears everything down.
 */
export async function startStack(redisUrl: string): Promise<{ stack: E2eStack; stop: () => Promise<void> }> {
  buildIfStale();
  const id = crypto.randomBytes(4).toString("hex");
  const dbName = `agentdesk_e2e_${id}`;
  await adminQuery(`create database ${dbName}`);
  const databaseUrl = Object.assign(new URL(POSTGRES_ADMIN_URL), { pathname: `/${dbName}` }).toString();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `agentdesk-e2e-${id}-`));
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const redisPrefix = `e2e${id}:`;
  fs.mkdirSync(SCREENS_DIR, { recursive: true });

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    DATA_DIR: dataDir,
    PORT: String(port),
    APP_URL: url,
    ALLOW_LOCAL_REPOS: "1",
    // notifications.e2e.test.ts's webhook receiver listens on 127.0.0.1.
    ALLOW_PRIVATE_WEBHOOKS: "1",
    AUTH_SECRET: crypto.randomBytes(32).toString("hex"),
    WORKER_PORT: "0",
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  const model = await startScriptedModel();
  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    await model.close();
    await adminQuery(`drop database if exists ${dbName} with (force)`);
    await deleteRedisKeys(redisUrl, redisPrefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);
    children.push(startChild("web (next start)", bin("next"), ["start", "-p", String(port)], env));
    await waitFor("the web's /api/health", async () => (await fetch(`${url}/api/health`)).ok, children);
    const worker = startChild("job process", bin("tsx"), ["jobs/main.ts"], {
      ...env,
      ANTHROPIC_API_KEY: "sk-ant-e2e-key-for-the-scripted-model",
      ANTHROPIC_BASE_URL: model.url,
    });
    children.push(worker);
    await waitFor("the job process", async () => worker.output().includes("job process ready"), children);
  } catch (err) {
    await stop();
    throw err;
  }
  // Redis too, so a test can play the job process's part (ask for input) against this stack.
  const webEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  return { stack: { url, databaseUrl, screensDir: SCREENS_DIR, redisUrl, redisPrefix, modelControlUrl: model.controlUrl, webEnv, dataDir }, stop };
}
