import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import { StaleAttemptError, type AppendGuard } from "../../lib/eventLog";
import { errorMessage } from "../errors";
import { runGit } from "../git/exec";
import type { Logger } from "../logger";

/**
 * Fencing: one delivery of a run job may change the run only while it holds the job's BullMQ
 * lock. BullMQ gives every delivery its own lock token; a job process paused past its lock
 * (SIGSTOP, a frozen VM) loses it, and the next delivery holds a new token. Every side effect
 * outside the attempt's own folder checks the lock atomically with the write: event appends
 * (in the append script, lib/eventLog.ts), Redis writes of the run's state (the script below),
 * moves of the run's branch (a compare-and-swap ref update between two checks), removing the
 * run's repository. A woken zombie's first write fails with StaleAttemptError and it stops.
 */

/** The Redis key BullMQ keeps a job's lock under (`<prefix>:<queue>:<jobId>:lock`). */
export function jobLockKey(job: Pick<Job, "queueQualifiedName" | "id">): string {
  return `${job.queueQualifiedName}:${job.id}:lock`;
}

// Checks the lock, then runs one write command on KEYS[2] with ARGV[3..]. Only the commands the
// pipeline needs are accepted, so the script cannot become a way round the check.
const FENCED_WRITE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('STALE_ATTEMPT this attempt no longer holds its job lock')
end
local command = ARGV[2]
if command ~= 'SET' and command ~= 'HSET' and command ~= 'DEL' then
  return redis.error_reply('fenced write: command ' .. command .. ' is not allowed')
end
return redis.call(command, KEYS[2], unpack(ARGV, 3))
`;

/** The Redis writes the run pipeline makes to a run's keys, fenced or (outside a job) not. */
export type RunStateWrites = {
  set(key: string, value: string, ttlSec: number): Promise<void>;
  hset(key: string, fields: Record<string, string | Buffer>): Promise<void>;
  del(key: string): Promise<void>;
};

/** Plain writes, for callers that are not a delivery of a run job (tests, tools). */
export function unfencedWrites(redis: Redis): RunStateWrites {
  return {
    set: async (key, value, ttlSec) => void (await redis.set(key, value, "EX", ttlSec)),
    hset: async (key, fields) => void (await redis.hset(key, fields)),
    del: async (key) => void (await redis.del(key)),
  };
}

/** How a fence learns it is lost: its own check, or the worker's lock-renewal signal. */
export type LossListener = () => void;

export class AttemptFence {
  private lostLock = false;
  private readonly listeners = new Set<LossListener>();

  constructor(
    private readonly redis: Redis,
    readonly runId: string,
    /** The delivery's lock; null only for a job run without a token (never by the worker). */
    readonly lock: { key: string; token: string } | null,
  ) {}

  get lost(): boolean {
    return this.lostLock;
  }

  /** Called when the lock is known to be gone; listeners (the run's stop) fire once. */
  markLost(): void {
    if (this.lostLock) return;
    this.lostLock = true;
    for (const listener of this.listeners) listener();
  }

  onLost(listener: LossListener): () => void {
    this.listeners.add(listener);
    if (this.lostLock) listener();
    return () => this.listeners.delete(listener);
  }

  /** Throws StaleAttemptError unless this delivery still holds its job's lock. */
  async check(what = "change the run"): Promise<void> {
    if (this.lostLock) throw new StaleAttemptError(this.runId, what);
    if (!this.lock) return;
    const holder = await this.redis.get(this.lock.key);
    if (holder !== this.lock.token) {
      this.markLost();
      throw new StaleAttemptError(this.runId, what);
    }
  }

  /** The guard every event append of this delivery carries (checked inside the append). */
  appendGuard(): Pick<AppendGuard, "lock"> {
    if (this.lostLock) throw new StaleAttemptError(this.runId);
    return this.lock ? { lock: this.lock } : {};
  }

  /** Redis writes of the run's state (bundle, checkpoint, markers), each checked atomically. */
  readonly writes: RunStateWrites = {
    set: (key, value, ttlSec) => this.write("SET", key, [value, "EX", String(ttlSec)]),
    hset: (key, fields) => this.write("HSET", key, Object.entries(fields).flat()),
    del: (key) => this.write("DEL", key, []),
  };

  private async write(command: "SET" | "HSET" | "DEL", key: string, args: (string | Buffer)[]): Promise<void> {
    if (this.lostLock) throw new StaleAttemptError(this.runId, "write the run's state");
    if (!this.lock) {
      await this.redis.call(command, key, ...args);
      return;
    }
    try {
      await this.redis.eval(FENCED_WRITE, 2, this.lock.key, key, this.lock.token, command, ...args);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith("STALE_ATTEMPT")) {
        this.markLost();
        throw new StaleAttemptError(this.runId, "write the run's state");
      }
      throw e;
    }
  }

  /**
   * Moves the run's branch from `prev` to `next` in the run's repository: only while the lock
   * is held, and only if the branch is still where this attempt left it (`update-ref` with the
   * old value is git's compare-and-swap). A pause between the check and the move is caught by
   * a second check, which puts the branch back (again only if nobody moved it since).
   */
  async moveBranch(gitDir: string, branch: string, next: string, prev: string): Promise<void> {
    const ref = `refs/heads/${branch}`;
    await this.check("move the run's branch");
    await runGit(["update-ref", "--no-deref", ref, next, prev], { gitDir });
    try {
      await this.check("move the run's branch");
    } catch (e) {
      await runGit(["update-ref", "--no-deref", ref, prev, next], { gitDir }).catch(() => undefined);
      throw e;
    }
  }

  /**
   * Checks the lock every `intervalMs` while the attempt runs, so an attempt that lost it stops
   * even when it writes nothing (a long tool call). Returns the function that ends the watch.
   */
  watch(intervalMs: number, logger: Logger): () => void {
    const timer = setInterval(() => {
      this.check().catch((e: unknown) => {
        if (!(e instanceof StaleAttemptError)) logger.warn("could not check the job lock", { error: errorMessage(e) });
      });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}

/**
 * The fences of the deliveries active in this job process, by job id, so the worker's
 * lock-renewal failures reach the attempt that lost its lock.
 */
export class FenceRegistry {
  private readonly byJob = new Map<string, AttemptFence>();

  add(jobId: string, fence: AttemptFence): () => void {
    this.byJob.set(jobId, fence);
    return () => {
      if (this.byJob.get(jobId) === fence) this.byJob.delete(jobId);
    };
  }

  /** BullMQ could not renew these jobs' locks (or found them stalled): they are lost. */
  lost(jobIds: readonly string[]): void {
    for (const id of jobIds) this.byJob.get(id)?.markLost();
  }
}

/** How often an active delivery checks its lock by default (BullMQ renews it every 15 s). */
export const DEFAULT_FENCE_CHECK_MS = 2_000;

/**
 * The fence of one delivery of a run job: holds the job's lock token, is registered for the
 * worker's lock-renewal signals, and checks the lock periodically. `stop` ends both.
 */
export function startAttemptFence(
  deps: { redis: Redis; fences: FenceRegistry; logger: Logger; checkMs?: number },
  job: Pick<Job, "queueQualifiedName" | "id">,
  token: string | undefined,
  runId: string,
): { fence: AttemptFence; stop(): void } {
  // The worker always passes a token; without one (a job run by hand) nothing can be fenced.
  const fence = new AttemptFence(deps.redis, runId, token ? { key: jobLockKey(job), token } : null);
  const unregister = deps.fences.add(String(job.id), fence);
  const unwatch = fence.watch(deps.checkMs ?? DEFAULT_FENCE_CHECK_MS, deps.logger);
  return {
    fence,
    stop: () => {
      unwatch();
      unregister();
    },
  };
}
