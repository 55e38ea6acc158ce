import crypto from "node:crypto";
import type { EventLog } from "../../lib/eventLog";

/**
 * One push of a run at a time across all job processes, and each decision's outcome announced
 * once. The lock lives only as long as its holder: a short expiry that the holder renews while
 * it is alive, so a killed job process frees it within seconds (not the 10 minutes a fixed
 * expiry long enough for a slow push would take) and the retry of its job carries on. A holder
 * that finds its lock gone (it was paused past the expiry, another took over) is told through
 * the signal and must stop: it no longer owns the push.
 */
export const PUSH_LOCK_TTL_MS = 10_000;
const RENEW_EVERY_MS = PUSH_LOCK_TTL_MS / 3;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

export class PushLockTimeout extends Error {
  constructor(runId: string) {
    super(`another job process is still pushing run ${runId}; will try again`);
    this.name = "PushLockTimeout";
  }
}

export class PushLockLost extends Error {
  constructor(runId: string) {
    super(`this job process lost the push lock of run ${runId} (it was paused or cut off from Redis); another one carries the push on`);
    this.name = "PushLockLost";
  }
}

export async function withPushLock<T>(
  log: EventLog,
  runId: string,
  fn: (signal: AbortSignal) => Promise<T>,
  opts: { waitMs?: number; ttlMs?: number } = {},
): Promise<T> {
  const key = log.keys.runPushLock(runId);
  const token = crypto.randomUUID();
  const ttlMs = opts.ttlMs ?? PUSH_LOCK_TTL_MS;
  // Longer than the expiry: a dead holder's lock is always gone before a waiter gives up.
  const deadline = Date.now() + (opts.waitMs ?? Math.max(60_000, 3 * ttlMs));
  while ((await log.redis.set(key, token, "PX", ttlMs, "NX")) !== "OK") {
    // Thrown, not swallowed: BullMQ retries the job later, when the other push has finished.
    if (Date.now() > deadline) throw new PushLockTimeout(runId);
    await new Promise((r) => setTimeout(r, 100));
  }
  const lost = new AbortController();
  const renew = setInterval(() => {
    log.redis.eval(RENEW, 1, key, token, ttlMs).then(
      (kept) => {
        if (kept !== 1) lost.abort(new PushLockLost(runId));
      },
      // A Redis blip: the next renewal tries again; the expiry decides if it lasts too long.
      () => undefined,
    );
  }, Math.min(RENEW_EVERY_MS, ttlMs / 3));
  try {
    return await fn(lost.signal);
  } finally {
    clearInterval(renew);
    await log.redis.eval(RELEASE, 1, key, token);
  }
}

/** Whether this decision's outcome (`push.finished`) was already announced. */
export async function outcomeAnnounced(log: EventLog, decisionId: string): Promise<boolean> {
  return (await log.redis.exists(log.keys.pushOutcome(decisionId))) === 1;
}

/** The once-key of a decision's `push.finished`: set with the event itself, so it is announced once. */
export const outcomeOnceKey = (log: EventLog, decisionId: string) => log.keys.pushOutcome(decisionId);

/** The once-key of a decision's `push.started`: a retry after a crash does not announce it again. */
export const startOnceKey = (log: EventLog, decisionId: string) => `${log.keys.pushOutcome(decisionId)}:started`;
