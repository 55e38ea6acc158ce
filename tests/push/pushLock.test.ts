import crypto from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PushLockLost, PushLockTimeout, withPushLock } from "../../jobs/review/pushLock";
import { loadConfig } from "../../lib/config";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import { createRedis } from "../../lib/redis";

const config = loadConfig();
let redis: Redis;
let log: EventLog;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  redis = createRedis(config.redisUrl, "worker");
  log = createEventLog(redis, config.redisPrefix);
});
afterAll(async () => {
  await redis?.quit();
});

describe("push lock", () => {
  it("frees a dead holder's lock within its short expiry", async () => {
    const runId = crypto.randomUUID();
    // What a killed job process leaves behind: its lock, which nobody renews any more.
    await redis.set(log.keys.runPushLock(runId), "dead-holder", "PX", 400);
    const started = Date.now();
    const got = await withPushLock(log, runId, async () => "mine", { ttlMs: 400, waitMs: 5_000 });
    expect(got).toBe("mine");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("lasts as long as its holder is alive, well past the expiry, and keeps others out", async () => {
    const runId = crypto.randomUUID();
    let release!: () => void;
    const holding = withPushLock(log, runId, () => new Promise<string>((r) => (release = () => r("done"))), { ttlMs: 300 });
    await sleep(100);
    // A second job process waits three expiries and more, and still finds the push held.
    await expect(withPushLock(log, runId, async () => "stolen", { ttlMs: 300, waitMs: 1_200 })).rejects.toBeInstanceOf(PushLockTimeout);
    release();
    expect(await holding).toBe("done");
    expect(await redis.exists(log.keys.runPushLock(runId))).toBe(0);
  });

  it("tells a holder that lost its lock (paused past the expiry, taken over) to stop", async () => {
    const runId = crypto.randomUUID();
    const outcome = withPushLock(
      log,
      runId,
      async (signal) => {
        // Another job process took the push over while this one was frozen.
        await redis.set(log.keys.runPushLock(runId), "the-other-one", "PX", 5_000);
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        signal.throwIfAborted();
        return "pushed anyway";
      },
      { ttlMs: 300 },
    );
    await expect(outcome).rejects.toBeInstanceOf(PushLockLost);
    // Its release must not free the other holder's lock.
    expect(await redis.get(log.keys.runPushLock(runId))).toBe("the-other-one");
  });
});
