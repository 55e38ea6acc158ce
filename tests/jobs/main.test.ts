import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHealthServer } from "../../jobs/health";
import { silentLogger } from "../../jobs/logger";
import { createWorkerMetrics } from "../../jobs/metrics";
import { createRunWorker } from "../../jobs/worker";
import { loadConfig } from "../../lib/config";
import { createEventLog, requestCancel, type EventLog } from "../../lib/eventLog";
import { createRunsQueue, runJobOptions, type JobPayload } from "../../lib/queue";
import { createRedis } from "../../lib/redis";
import { liveWorkers } from "../../lib/workerDirectory";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { eventually, hasEnded, hasType, makeRunPayload, waitForEvents } from "./helpers";

const root = path.resolve(import.meta.dirname, "../..");
const config = loadConfig();
const SHUTDOWN_DEADLINE_MS = 8_000;
let redis: Redis;
let log: EventLog;
let queue: Queue<JobPayload>;
let repo: TestRepo;
let child: ChildProcess | undefined;

beforeAll(async () => {
  redis = createRedis(config.redisUrl, "worker");
  log = createEventLog(redis, config.redisPrefix);
  queue = createRunsQueue(redis, config.redisPrefix);
  repo = await createTestRepo();
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await queue?.close();
  await redis?.quit();
  await repo?.remove();
});

/** Starts `tsx jobs/main.ts` with the test's environment; resolves with its health port. */
async function startJobProcess(): Promise<{ proc: ChildProcess; port: number; lines: string[] }> {
  const proc = spawn(path.join(root, "node_modules/.bin/tsx"), ["jobs/main.ts"], {
    cwd: root,
    env: { ...process.env, WORKER_PORT: "0", SHUTDOWN_DEADLINE_MS: String(SHUTDOWN_DEADLINE_MS) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  proc.stderr!.on("data", (d: Buffer) => stderr.push(d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    readline.createInterface({ input: proc.stdout! }).on("line", (line) => {
      lines.push(line);
      const entry = JSON.parse(line) as { message: string; port?: number };
      if (entry.message === "job process ready" && entry.port) resolve(entry.port);
    });
    proc.on("exit", (code) => reject(new Error(`job process exited (${code}): ${lines.join("\n")}${stderr.join("")}`)));
  });
  return { proc, port, lines };
}

describe("job process (jobs/main.ts)", () => {
  it("answers /health and /metrics, and on SIGTERM puts its run back and exits 0 within the deadline", async () => {
    const started = await startJobProcess();
    child = started.proc;
    const health = await fetch(`http://127.0.0.1:${started.port}/health`);
    expect(health.status).toBe(200);
    // The tests' Redis keeps nothing on disk (appendonly no, no save points): healthy, with a warning.
    expect(await health.json()).toMatchObject({
      ok: true,
      redis: true,
      activeRuns: 0,
      concurrency: config.workerConcurrency,
      redisEvictionPolicy: "noeviction",
      redisPersistence: "none",
      warnings: [expect.stringMatching(/keeps nothing on disk/)],
    });
    // It tells the web what it can run: the shell executor, not the agent (no API key here).
    const adverts = await liveWorkers(redis, config.redisPrefix);
    expect(adverts).toHaveLength(1);
    expect(adverts[0]!.executors.find((e) => e.name === "cli")).toMatchObject({ available: true });
    expect(adverts[0]!.executors.find((e) => e.name === "agent")).toMatchObject({ available: false, reason: expect.stringMatching(/ANTHROPIC_API_KEY/) });
    const metrics = await (await fetch(`http://127.0.0.1:${started.port}/metrics`)).text();
    expect(metrics).toContain("agentdesk_active_runs 0");
    expect(metrics).toContain("agentdesk_worker_process_cpu_seconds_total");

    const payload = makeRunPayload(repo.url, { command: "sleep 60" });
    await queue.add("run", payload, runJobOptions(payload.runId, "normal"));
    await waitForEvents(log, payload.runId, hasType("tool.started"));
    const busy = (await (await fetch(`http://127.0.0.1:${started.port}/health`)).json()) as { activeRuns: number };
    expect(busy.activeRuns).toBe(1);

    const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));
    const signalled = Date.now();
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(SHUTDOWN_DEADLINE_MS);
    expect(await liveWorkers(redis, config.redisPrefix)).toEqual([]);

    const events = await waitForEvents(log, payload.runId, hasType("tool.finished"));
    expect(hasEnded(events)).toBe(false);
    expect(events.some((e) => e.type === "log" && e.message.includes("worker shutting down"))).toBe(true);
    const job = await queue.getJob(payload.runId);
    expect(["waiting", "prioritized"]).toContain(await job!.getState());
    expect(job!.attemptsMade).toBe(0);

    // Another job process takes the run up again, as a resumed attempt.
    const resumer = await createRunWorker({ config, redis, logger: silentLogger });
    try {
      const resumed = await waitForEvents(
        log,
        payload.runId,
        (all) => all.filter((e) => e.type === "tool.started").length === 2,
      );
      expect(resumed.filter((e) => e.type === "run.started").map((e) => e.type === "run.started" && e.resumed)).toEqual([
        false,
        true,
      ]);
      await requestCancel(log, payload.runId, "test");
      const final = await waitForEvents(log, payload.runId, hasEnded);
      expect(final[final.length - 1]).toMatchObject({ type: "run.cancelled", by: "test" });
    } finally {
      await resumer.close(5_000);
    }
  });

  it("answers 503 on /health while Redis is unreachable", async () => {
    // Nothing listens on port 1: the client never becomes ready.
    const deadRedis = createRedis("redis://127.0.0.1:1", "worker");
    // Its connection errors are the point of this test, not a failure of it.
    deadRedis.on("error", () => undefined);
    const server = await startHealthServer({
      port: 0,
      redis: deadRedis,
      registry: createWorkerMetrics().registry,
      status: () => ({ activeRuns: 0, concurrency: 1 }),
      logger: silentLogger,
    });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ ok: false, redis: false });
    } finally {
      await server.close();
      deadRedis.disconnect();
    }
  });

  it("refuses to start with an invalid configuration, naming the variable", async () => {
    const proc = spawn(path.join(root, "node_modules/.bin/tsx"), ["jobs/main.ts"], {
      cwd: root,
      env: { ...process.env, WORKER_CONCURRENCY: "zero" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await eventually(async () => proc.exitCode ?? undefined);
    expect(code).toBe(1);
    expect(out).toContain("WORKER_CONCURRENCY");
  });
});
