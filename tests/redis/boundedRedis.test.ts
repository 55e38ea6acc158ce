import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../jobs/logger";
import { createRunWorker, type RunWorker } from "../../jobs/worker";
import { loadConfig } from "../../lib/config";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import { endsStream } from "../../lib/events";
import { createReviewsQueue, createRunsQueue, runJobOptions, type JobPayload, type ReviewJobPayload } from "../../lib/queue";
import { createRedis } from "../../lib/redis";
import { RUN_STATE_BACKSTOP_SEC, runStateKeys } from "../../lib/runRetention";
import { allEvents, makeRunPayload } from "../jobs/helpers";
import { keysWithoutExpiry, runMany, waitUntil } from "../support/runEndings";
import { createTestRepo, type TestRepo } from "../support/gitRepo";

/**
 * Issue 9's bounded Redis: many short runs of every ending (completed, failed with changes,
 * cancelled, reviewed then discarded, reviewed then pushed) leave no working state behind, and
 * what stays without an expiry does not grow with the number of runs. BullMQ's job records are
 * bounded by count and age (removeOnComplete/removeOnFail) and `events:all` by the recorder's
 * trim, so they are left out; everything else of a run must be gone or expire.
 */
const config = loadConfig();
const ns = config.redisPrefix;
let redis: Redis;
let log: EventLog;
let queue: Queue<JobPayload>;
let reviews: Queue<ReviewJobPayload>;
let worker: RunWorker;
let repo: TestRepo;

beforeAll(async () => {
  redis = createRedis(config.redisUrl, "worker");
  log = createEventLog(redis, ns);
  queue = createRunsQueue(redis, ns);
  reviews = createReviewsQueue(redis, ns);
  repo = await createTestRepo({ files: { "README.md": "bounded\n" } });
  worker = await createRunWorker({ config: { ...config, workerConcurrency: 4 }, redis, logger: silentLogger });
});
afterAll(async () => {
  await worker?.close(5_000);
  await queue?.close();
  await reviews?.close();
  await redis?.quit();
  await repo?.remove();
});

describe("bounded Redis", () => {
  it("keeps a run awaiting review its bundle (any job process may push it), with the backstop expiry", async () => {
    const payload = makeRunPayload(repo.url, { command: "echo waiting > review.txt" });
    await queue.add("run", payload, runJobOptions(payload.runId, "normal"));
    await waitUntil(async () => (await allEvents(log, payload.runId)).some(endsStream), 60_000, "the run to reach review");
    expect((await allEvents(log, payload.runId)).at(-1)?.type).toBe("run.awaiting_review");
    const ttl = await redis.ttl(log.keys.runBundle(payload.runId));
    expect(ttl).toBeGreaterThan(RUN_STATE_BACKSTOP_SEC - 60);
    expect(ttl).toBeLessThanOrEqual(RUN_STATE_BACKSTOP_SEC);
    expect(await redis.exists(log.keys.runCheckpoint(payload.runId))).toBe(0);
  });

  it("keeps no working state of ended runs, and nothing without an expiry grows with the number of runs", async () => {
    const target = { redis, log, namespace: ns, queue, reviews, repoUrl: repo.url };
    const first = await runMany(target, 20, 0);
    const after20 = await keysWithoutExpiry(target);
    const more = await runMany(target, 180, 20);
    const after200 = await keysWithoutExpiry(target);

    // Bundles, checkpoints and conversations of ended runs are gone, whatever the ending.
    for (const run of [...first, ...more]) {
      const left = await redis.exists(...runStateKeys(log, run.runId));
      expect(left, `working state left for ${run.runId}`).toBe(0);
    }
    // Nothing of a run stays for ever: the set of keys without an expiry is the same after 200 runs as after 20.
    expect(after200.keys).toEqual(after20.keys);
    expect(after200.bytes).toBeLessThanOrEqual(after20.bytes + 1024);
    console.log(
      `bounded Redis: ${after20.all} keys after 20 runs, ${after200.all} after 200 (all expiring or BullMQ-bounded); ` +
        `${after200.keys.length} keys without expiry (${after200.bytes} bytes) after 200 vs ${after20.keys.length} (${after20.bytes} bytes) after 20`,
    );
  }, 600_000);
});
