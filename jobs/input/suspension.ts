import { DelayedError, type Job } from "bullmq";
import { z } from "zod";
import { cancelRequestedBy, type EventLog } from "../../lib/eventLog";
import { readInputResolution } from "../../lib/inputArbiter";
import { luaScript } from "../../lib/redis";
import type { Logger } from "../logger";
import type { RunStateWrites } from "../run/fence";

/**
 * A run waiting for a person does not hold a worker slot (the "waitpoint"): once its executor
 * has saved its progress (the agent's checkpoint) the job is moved to BullMQ's delayed set
 * until the request's deadline, which frees its slot at once. What ends the wait:
 *   - the answer (stored by the web, lib/inputArbiter.ts) or a cancel: the waker of any job
 *     process (jobs/input/waker.ts) sees it and promotes the job;
 *   - the deadline: BullMQ itself moves the job back to the queue, and the resumed run finds
 *     the request past its deadline and denies it by timeout.
 * Either way it is the same BullMQ job, so there is exactly one resume per answer, on whichever
 * job process takes it; the executor resumes from its checkpoint and asks the same request
 * again, which now returns the answer as if it had waited.
 *
 * A suspended run is listed in one Redis hash (field: run id) so the waker knows which
 * requests and jobs to look at. The entry is written before the job leaves the active list,
 * so a job process dying in between leaves an entry for a job that BullMQ will redeliver
 * (whose next delivery clears it), never a delayed job nobody would wake.
 */

/** Thrown (through the executor) by the human-input step when the run should suspend. */
export class RunSuspended extends Error {
  constructor(
    readonly requestId: string,
    /** Epoch ms: when the request counts as denied; the job sleeps until then at the latest. */
    readonly deadline: number,
  ) {
    super(`the run is suspended until request ${requestId} is answered`);
    this.name = "RunSuspended";
  }
}

export const suspensionRecord = z.object({
  jobId: z.string().min(1),
  requestId: z.string().min(1),
  deadline: z.number().int(),
  suspendedAt: z.iso.datetime(),
});
export type SuspensionRecord = z.infer<typeof suspensionRecord>;

export type SuspendedRun = { runId: string; raw: string; record: SuspensionRecord | null };

/** Every suspended run of the namespace, as stored (a malformed entry has `record` null). */
export async function listSuspendedRuns({ redis, keys }: EventLog): Promise<SuspendedRun[]> {
  const all = await redis.hgetall(keys.suspendedRuns);
  return Object.entries(all).map(([runId, raw]) => {
    let record: SuspensionRecord | null = null;
    try {
      const parsed = suspensionRecord.safeParse(JSON.parse(raw));
      if (parsed.success) record = parsed.data;
    } catch {
      // Left null: the waker drops it.
    }
    return { runId, raw, record };
  });
}

/** A new delivery of the run's job is under way: whatever suspended it before is over. */
export async function clearSuspension({ redis, keys }: EventLog, runId: string): Promise<void> {
  await redis.hdel(keys.suspendedRuns, runId);
}

// Deletes the entry only if it is still the one the caller read: the run may have resumed and
// suspended again on another request meanwhile.
const DROP_IF_SAME = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
`;
const dropIfSameScript = luaScript<number>("agentdeskDropSuspension", 1, DROP_IF_SAME);

export async function dropSuspensionIfSame({ redis, keys }: EventLog, entry: SuspendedRun): Promise<boolean> {
  return (await dropIfSameScript(redis, [keys.suspendedRuns], [entry.runId, entry.raw])) === 1;
}

/** Why a suspended run should run again now, or null while it still waits. */
export async function wakeReason(log: EventLog, runId: string, requestId: string): Promise<"answered" | "cancelled" | null> {
  if (await readInputResolution(log, runId, requestId)) return "answered";
  if (await cancelRequestedBy(log, runId)) return "cancelled";
  return null;
}

/**
 * Moves a delayed job back to the queue. False when it was not delayed (already promoted,
 * running, or gone): promotion is atomic in BullMQ, so of several wakers exactly one succeeds.
 */
export async function promoteIfDelayed(job: Pick<Job, "promote">): Promise<boolean> {
  try {
    await job.promote();
    return true;
  } catch (e) {
    if (e instanceof Error && /not in the delayed state|Missing key/.test(e.message)) return false;
    throw e;
  }
}

/**
 * Suspends the run's job (it holds a lock with `token`): lists it, moves it to the delayed set
 * until the deadline, then wakes it at once if the answer or a cancel came in before the
 * listing (the waker could not have seen it). Always ends by throwing DelayedError, which
 * tells BullMQ the job was moved on purpose.
 */
export async function suspendRunJob(
  ctx: {
    eventLog: EventLog;
    job: Job;
    token: string | undefined;
    runId: string;
    logger: Logger;
    /** The delivery's fenced writes (jobs/run/fence.ts): a zombie cannot list the run. */
    writes: Pick<RunStateWrites, "hset">;
  },
  suspended: RunSuspended,
): Promise<never> {
  const { eventLog, job, token, runId, logger } = ctx;
  if (!job.id) throw new Error("cannot suspend a job without an id");
  const record: SuspensionRecord = {
    jobId: job.id,
    requestId: suspended.requestId,
    deadline: suspended.deadline,
    suspendedAt: new Date().toISOString(),
  };
  await ctx.writes.hset(eventLog.keys.suspendedRuns, { [runId]: JSON.stringify(record) });
  await job.moveToDelayed(suspended.deadline, token);
  logger.info("run suspended while it waits for a person; its worker slot is free", {
    requestId: suspended.requestId,
    deadline: new Date(suspended.deadline).toISOString(),
  });
  const reason = await wakeReason(eventLog, runId, suspended.requestId);
  if (reason && (await promoteIfDelayed(job))) logger.info("woke the run at once", { reason });
  throw new DelayedError();
}
