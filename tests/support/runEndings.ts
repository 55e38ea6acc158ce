import crypto from "node:crypto";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { requestCancel, type EventLog } from "../../lib/eventLog";
import { endsStream, type RunEventOf } from "../../lib/events";
import { reviewJobIds, reviewJobOptions, runJobOptions, type JobPayload, type ReviewJobPayload, type RunJobPayload } from "../../lib/queue";
import { allEvents, makeRunPayload } from "../jobs/helpers";
import { pushPayloadFor } from "../review/helpers";

/**
 * Many short runs of every ending (completed, failed with changes, cancelled, reviewed then
 * discarded, reviewed then pushed) through a real worker, and what they leave in Redis: the
 * driver of tests/redis/boundedRedis.test.ts and bench/redisFootprint.ts.
 */
export type RunEndingsTarget = {
  redis: Redis;
  log: EventLog;
  namespace: string;
  queue: Queue<JobPayload>;
  reviews: Queue<ReviewJobPayload>;
  repoUrl: string;
};

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

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs `count` runs to their ending, reviews included; returns their ids. */
export async function runMany(t: RunEndingsTarget, count: number, offset: number): Promise<RunJobPayload[]> {
  const { log, queue, reviews } = t;
  const runs = Array.from({ length: count }, (_, k) => {
    const i = offset + k;
    const ending = endings[i % endings.length]!;
    return { ending, payload: makeRunPayload(t.repoUrl, { command: commandFor(ending, i) }) };
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
    if (!ready) throw new Error(`run ${payload.runId} did not reach review`);
    if (ending === "pushed") {
      const push = pushPayloadFor(payload, ready.headSha);
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

/**
 * Every key of the namespace that never expires, but BullMQ's (bounded by removeOnComplete and
 * removeOnFail) and events:all (trimmed by the recorder), with their size; and all keys, with
 * the size of those that expire.
 */
export async function keysWithoutExpiry(t: Pick<RunEndingsTarget, "redis" | "log" | "namespace">): Promise<{ keys: string[]; bytes: number; all: number; expiringBytes: number }> {
  const { redis, log, namespace: ns } = t;
  let expiringBytes = 0;
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
      if ((await redis.pttl(key)) !== -1) {
        expiringBytes += (await redis.memory("USAGE", key)) ?? 0;
        continue;
      }
      keys.push(key);
      bytes += (await redis.memory("USAGE", key)) ?? 0;
    }
  } while (cursor !== "0");
  return { keys: keys.sort(), bytes, all, expiringBytes };
}
