import crypto from "node:crypto";
import type { EventLog } from "../../lib/eventLog";

/**
 * One push of a run at a time across all job processes (a Redis lock with an expiry, so a
 * crashed holder frees it), and each decision's outcome recorded once, so a redelivered or
 * duplicated push job finds the work done and reports nothing twice.
 */
const LOCK_TTL_MS = 10 * 60_000;
const OUTCOME_TTL_SEC = 30 * 24 * 3600;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class PushLockTimeout extends Error {
  constructor(runId: string) {
    super(`another job process is still pushing run ${runId}; will try again`);
    this.name = "PushLockTimeout";
  }
}

export async function withPushLock<T>(log: EventLog, runId: string, fn: () => Promise<T>, waitMs = 60_000): Promise<T> {
  const key = log.keys.runPushLock(runId);
  const token = crypto.randomUUID();
  const deadline = Date.now() + waitMs;
  while ((await log.redis.set(key, token, "PX", LOCK_TTL_MS, "NX")) !== "OK") {
    // Thrown, not swallowed: BullMQ retries the job later, when the other push has finished.
    if (Date.now() > deadline) throw new PushLockTimeout(runId);
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    return await fn();
  } finally {
    await log.redis.eval(RELEASE, 1, key, token);
  }
}

export type PushOutcome = "pushed" | "failed";

export async function recordedOutcome(log: EventLog, decisionId: string): Promise<PushOutcome | null> {
  return (await log.redis.get(log.keys.pushOutcome(decisionId))) as PushOutcome | null;
}

export async function recordOutcome(log: EventLog, decisionId: string, outcome: PushOutcome): Promise<void> {
  await log.redis.set(log.keys.pushOutcome(decisionId), outcome, "EX", OUTCOME_TTL_SEC);
}
