import { spawn } from "node:child_process";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startHealthServer, type HealthServer } from "../../jobs/health";
import { silentLogger } from "../../jobs/logger";
import { createWorkerMetrics } from "../../jobs/metrics";
import { createRedis } from "../../lib/redis";
import { inspectRedisDurability } from "../../lib/redisDurability";
import { reportRedisDurability } from "../../lib/server/redisStartupCheck";
import { startTestRedis, type TestRedis } from "../support/testRedis";

// A Redis of this file's own: its settings change here, which the shared test Redis must not see.
let own: TestRedis;
let redis: Redis;
let health: HealthServer;
const root = path.resolve(import.meta.dirname, "../..");

beforeAll(async () => {
  own = await startTestRedis();
  redis = createRedis(own.url, "worker");
  health = await startHealthServer({
    port: 0,
    redis,
    registry: createWorkerMetrics().registry,
    status: () => ({ activeRuns: 0, concurrency: 1 }),
    logger: silentLogger,
  });
});
afterAll(async () => {
  await health?.close();
  redis?.disconnect();
  await own?.stop();
});
// Back to the test Redis's own settings: no persistence, noeviction.
afterEach(async () => {
  await redis.config("SET", "appendonly", "no");
  await redis.config("SET", "save", "");
  await redis.config("SET", "maxmemory-policy", "noeviction");
});

/** The real job process (`npm run worker`) against this file's Redis; its log as it comes. */
function startJobProcess() {
  const proc = spawn(path.join(root, "node_modules/.bin/tsx"), ["jobs/main.ts"], {
    cwd: root,
    env: { ...process.env, REDIS_URL: own.url, WORKER_PORT: "0", SANDBOX: "off" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (out += d.toString()));
  return { proc, output: () => out };
}

async function workerHealth() {
  const res = await fetch(`http://127.0.0.1:${health.port}/health`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("Redis durability", () => {
  it("tells an append-only file, RDB save points and no persistence apart", async () => {
    expect(await inspectRedisDurability(redis)).toMatchObject({ persistence: "none", evictionPolicy: "noeviction" });
    await redis.config("SET", "save", "3600 1 300 100");
    expect(await inspectRedisDurability(redis)).toMatchObject({ persistence: "rdb" });
    await redis.config("SET", "appendonly", "yes");
    const aof = await inspectRedisDurability(redis);
    expect(aof).toMatchObject({ persistence: "aof" });
    expect(aof.warning).toBeUndefined();
    expect(aof.problem).toBeUndefined();
  });

  it("the job process's /health shows a Redis without persistence with a warning, and stays up", async () => {
    const { status, body } = await workerHealth();
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, redis: true, redisPersistence: "none", redisEvictionPolicy: "noeviction" });
    expect((body.warnings as string[])[0]).toMatch(/appendonly yes/);

    await redis.config("SET", "appendonly", "yes");
    const fixed = await workerHealth();
    expect(fixed.body).toMatchObject({ ok: true, redisPersistence: "aof" });
    expect(fixed.body).not.toHaveProperty("warnings");
  });

  it("the job process's /health answers 503 for an evicting Redis, naming the setting", async () => {
    await redis.config("SET", "maxmemory-policy", "allkeys-lru");
    const { status, body } = await workerHealth();
    expect(status).toBe(503);
    expect(body).toMatchObject({ ok: false, redis: true, redisEvictionPolicy: "allkeys-lru" });
    expect((body.warnings as string[]).join(" ")).toMatch(/maxmemory-policy noeviction/);
  });

  it("the web's start-up check complains loudly about eviction and about no persistence", async () => {
    const lines: string[] = [];
    const log = { error: (...a: unknown[]) => lines.push(`E ${a.join(" ")}`), warn: (...a: unknown[]) => lines.push(`W ${a.join(" ")}`), log: (...a: unknown[]) => lines.push(`L ${a.join(" ")}`) };
    await redis.config("SET", "maxmemory-policy", "volatile-lru");
    const web = createRedis(own.url, "web");
    try {
      await reportRedisDurability(web, log);
    } finally {
      web.disconnect();
    }
    expect(lines.find((l) => l.startsWith("E"))).toMatch(/REDIS WILL LOSE DATA.*"volatile-lru".*\/api\/health answers 503/);
    expect(lines.find((l) => l.startsWith("W"))).toMatch(/a Redis restart loses queued runs/);
  });

  it("a real job process warns at start when Redis keeps nothing on disk", async () => {
    const { proc, output } = startJobProcess();
    try {
      const deadline = Date.now() + 25_000;
      while (!/REDIS KEEPS NOTHING ON DISK/.test(output()) && proc.exitCode === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(output()).toMatch(/REDIS KEEPS NOTHING ON DISK.*appendonly yes/);
      expect(proc.exitCode).toBeNull();
    } finally {
      proc.kill("SIGKILL");
    }
  });

  it("a real job process refuses to start on an evicting Redis", async () => {
    await redis.config("SET", "maxmemory-policy", "allkeys-lru");
    const { proc, output } = startJobProcess();
    const code = await new Promise<number | null>((resolve) => proc.once("exit", resolve));
    expect(code).toBe(1);
    expect(output()).toContain('maxmemory-policy is \\"allkeys-lru\\"');
  }, 30_000);
});
