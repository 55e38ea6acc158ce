import { Job, type Queue } from "bullmq";
import type { EventLog } from "../../lib/eventLog";
import { errorMessage } from "../errors";
import type { Logger } from "../logger";
import { dropSuspensionIfSame, listSuspendedRuns, promoteIfDelayed, wakeReason, type SuspendedRun } from "./suspension";

export type RunWaker = {
  /** One pass over the suspended runs (the timer calls it; tests may too). */
  tick(): Promise<void>;
  close(): Promise<void>;
};

export type RunWakerOptions = {
  eventLog: EventLog;
  /** The queue the suspended jobs are in (`runs`). */
  queue: Queue;
  logger: Logger;
  /** How often the suspended runs are looked at: the longest an answer waits to be noticed. */
  pollMs: number;
};

/**
 * Wakes suspended runs (jobs/input/suspension.ts) whose request got its answer or whose run
 * was cancelled, by promoting their delayed job. Every job process runs one; BullMQ's atomic
 * promotion makes the first one win. It starts with a pass at once, so answers given while no
 * job process ran are picked up as soon as one starts. It also forgets entries whose job has
 * finished or is gone.
 */
export function startRunWaker(options: RunWakerOptions): RunWaker {
  const { logger, pollMs } = options;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    for (const entry of await listSuspendedRuns(options.eventLog)) {
      try {
        await look(options, entry);
      } catch (e) {
        logger.warn("could not check a suspended run", { runId: entry.runId, error: errorMessage(e) });
      }
    }
  };
  const loop = () => {
    running = tick()
      .catch((e: unknown) => logger.warn("could not list the suspended runs", { error: errorMessage(e) }))
      .finally(() => {
        if (!closed) timer = setTimeout(loop, pollMs);
      });
  };
  loop();
  return {
    tick,
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
    },
  };
}

async function look({ eventLog, queue, logger }: RunWakerOptions, entry: SuspendedRun): Promise<void> {
  const { runId, record } = entry;
  if (!record) {
    logger.warn("dropped a malformed suspended-run entry", { runId });
    await dropSuspensionIfSame(eventLog, entry);
    return;
  }
  const reason = await wakeReason(eventLog, runId, record.requestId);
  // Past the deadline BullMQ moves the job back by itself; before it, nothing to do yet.
  if (!reason && Date.now() < record.deadline) return;
  const job = await Job.fromId(queue, record.jobId);
  if (!job) {
    await dropSuspensionIfSame(eventLog, entry);
    return;
  }
  if (reason && (await promoteIfDelayed(job))) {
    logger.info("woke a suspended run", { runId, jobId: record.jobId, requestId: record.requestId, reason });
    await dropSuspensionIfSame(eventLog, entry);
    return;
  }
  // Not delayed: already woken, or never got there. Waiting and active jobs clear the entry
  // when they start; a job that ended will not.
  const state = await job.getState();
  if (state === "completed" || state === "failed" || state === "unknown") await dropSuspensionIfSame(eventLog, entry);
}
