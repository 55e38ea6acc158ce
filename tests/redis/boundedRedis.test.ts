import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../jobs/logger";
import { createRunWorker, type RunWorker } from "../../jobs/worker";
import { loadConfig } from "../../lib/config";
import { createEventLog, requestCancel, type EventLog } from "../../lib/eventLog";
import { endsStream, type RunEventOf } from "../../lib/events";
import {
  createReviewsQueue,
  createRunsQueue,
  reviewJobIds,
  reviewJobOptions,
  runJobOptions,
  type JobPayload,
  type ReviewJobPayload,
  type RunJobPayload,
} from "../../lib/queue";
import { createRedis } from "../../lib/redis";
import { RUN_STATE_BACKSTOP_SEC, runStateKeys } from "../../lib/runRetention";
import { allEvents, makeRunPayload } from "../jobs/helpers";
import { pushPayloadFor } from "../review/helpers";
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

type Ending = "completed" | "failed" | "cancelled" | "discarded" | "pushed";
const endings: Ending[] = ["completed", "failed", "cancelled", "discarded", "pushed"];

function commandFor(ending: Ending, i: number): string {
  switch (ending) {
    case "completed":
    case "cancelled":
      return "true";
    case "failed":
      // Changes, then a failure: the branch is bundled before the run fails.
      return `echo ${i} > failed.txt && exit 3`;
    default:
      return `echo ${i} > reviewed.txt`;
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs `count` runs to their ending, reviews included; returns their ids. */
async function runMany(count: number, offset: number): Promise<RunJobPayload[]> {
  const runs = Array.from({ length: count }, (_, k) => {
    const i = offset + k;
    const ending = endings[i % endings.length]!;
    return { ending, payload: makeRunPayload(repo.url, { command: commandFor(ending, i) }) };
  });
  for (const { ending, payload } of runs) {
    if (ending === "cancelled") await requestCancel(log, payload.runId, "test");
    await queue.add("run", payload, runJobOptions(payload.runId, "normal"));
  }
  const ended = new Set<string>();
  await waitUntil(
    async () => {
      for (const { payload } of runs) {
        if (!ended.has(payload.runId) && (await allEvents(log, payload.runId)).some(endsStream)) ended.add(payload.runId);
      }
      return ended.size === runs.length;
    },
    240_000,
    "the runs to end",
  );
  const reviewJobs = [];
  for (const { ending, payload } of runs) {
    if (ending !== "discarded" && ending !== "pushed") continue;
    const ready = (await allEvents(log, payload.runId)).find((e): e is RunEventOf<"run.awaiting_review"> => e.type === "run.awaiting_review");
    expect(ready, `run ${payload.runId} reached review`).toBeDefined();
    if (ending === "pushed") {
      const push = pushPayloadFor(payload, ready!.headSha);
      reviewJobs.push(reviews.add("push", push, reviewJobOptions(reviewJobIds.push(push.decisionId))));
    } else {
      const decisionId = crypto.randomUUID();
      const discard: ReviewJobPayload = { kind: "discard", runId: payload.runId, decisionId, repo: payload.repo, branch: payload.branch };
      reviewJobs.push(reviews.add("discard", discard, reviewJobOptions(reviewJobIds.discard(decisionId))));
    }
  }
  const jobs = await Promise.all(reviewJobs);
  await waitUntil(
    async () => (await Promise.all(jobs.map((j) => reviews.getJobState(j.id!)))).every((s) => s === "completed"),
    120_000,
    "the push and discard jobs",
  );
  return runs.map((r) => r.payload);
}

/** Every key of this test's namespace that never expires, but BullMQ's and events:all, with its size. */
async function keysWithoutExpiry(): Promise<{ keys: string[]; bytes: number; all: number }> {
  const keys: string[] = [];
  let bytes = 0;
  let all = 0;
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${ns}*`, "COUNT", 1000);
    cursor = next;
    for (const key of batch) {
      all++;
      if (key.startsWith(`${ns}bull:`) || key === log.keys.allEvents) continue;
      if ((await redis.pttl(key)) !== -1) continue;
      keys.push(key);
      bytes += (await redis.memory("USAGE", key)) ?? 0;
    }
  } while (cursor !== "0");
  return { keys: keys.sort(), bytes, all };
}

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
    const first = await runMany(20, 0);
    const after20 = await keysWithoutExpiry();
    const more = await runMany(180, 20);
    const after200 = await keysWithoutExpiry();

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
