import { QueueEvents } from "bullmq";
import { and, inArray, lt } from "drizzle-orm";
import { run } from "../db/schema";
import { RUNS_QUEUE, queuePrefix } from "../queue";
import { createRedis } from "../redis";
import type { App } from "./app";
import { reconcilePush } from "./reconcilePush";
import { jobHeldStatuses, reconcileRun, type ReconcileOutcome } from "./reconcileRun";

/**
 * Every run reaches a truthful terminal state. BullMQ fails a job on its own (stalled more
 * often than allowed) without calling the job process's code, and a job can vanish (removed,
 * a Redis that lost its data): the run would read "running" forever. The web process owns the
 * database, so it reconciles: on BullMQ's `failed`/`removed` events for a run's job at once,
 * and by scanning the runs under way at start-up and then periodically, since events are lost
 * while no web process listens. One run's check is reconcileRun.ts.
 */

export type ReconcilerOptions = {
  /** Time between scans (default one minute). */
  intervalMs?: number;
  /**
   * Runs changed more recently than this are left to the next scan, so a run whose job is
   * being added right now (createRun inserts the row first) is not queued twice over.
   */
  settleMs?: number;
};

export type Reconciler = {
  /** One scan of every run under way; resolves with what was done, by outcome. */
  scan(): Promise<Partial<Record<ReconcileOutcome, number>>>;
  stop(): Promise<void>;
};

/** A run's id from one of its jobs' ids (its own job, or a "request changes" follow-up). */
export function runIdOfJob(jobId: string): string | null {
  const followUp = /^run-(.+?)-changes-.+$/.exec(jobId);
  if (followUp) return followUp[1]!;
  // Push and discard jobs carry a review decision out; their runs are not "under way".
  if (jobId.startsWith("push-") || jobId.startsWith("discard-")) return null;
  return jobId;
}

export function startReconciler(app: App, options: ReconcilerOptions = {}): Reconciler {
  const intervalMs = options.intervalMs ?? 60_000;
  const settleMs = options.settleMs ?? 30_000;
  let stopped = false;

  const check = async (runId: string): Promise<ReconcileOutcome | null> => {
    try {
      const outcome = await reconcileRun(app, runId);
      // A run in `pushing` is not under way for reconcileRun; its push job is checked here.
      return outcome === "ok" ? await reconcilePush(app, runId) : outcome;
    } catch (e) {
      console.error(`[reconciler] checking run ${runId} failed; the next scan retries:`, (e as Error).message);
      return null;
    }
  };

  const scan = async () => {
    const counts: Partial<Record<ReconcileOutcome, number>> = {};
    const rows = await app.db
      .select({ id: run.id })
      .from(run)
      .where(
        and(inArray(run.status, [...jobHeldStatuses, "pushing", "waiting_dependencies"]), lt(run.updatedAt, new Date(Date.now() - settleMs))),
      );
    for (const { id } of rows) {
      if (stopped) break;
      const outcome = await check(id);
      if (outcome) counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
    return counts;
  };

  // Its own blocking connection: QueueEvents reads the events stream with XREAD BLOCK.
  const connection = createRedis(app.config.redisUrl, "blocking", "reconciler");
  connection.on("error", (err) => console.error("[reconciler] redis:", err.message));
  const events = new QueueEvents(RUNS_QUEUE, { connection, prefix: queuePrefix(app.config.redisPrefix) });
  events.on("error", (err) => console.error("[reconciler] queue events:", err.message));
  const onJobEvent = ({ jobId }: { jobId: string }) => {
    const runId = runIdOfJob(jobId);
    if (runId && !stopped) void check(runId);
  };
  events.on("failed", onJobEvent);
  events.on("removed", onJobEvent);

  let scanning: Promise<unknown> = Promise.resolve();
  const scanLogged = () => {
    scanning = scan()
      .then((counts) => {
        const acted = (counts.failed ?? 0) + (counts.requeued ?? 0);
        if (acted > 0) console.warn(`[reconciler] ${counts.failed ?? 0} runs failed, ${counts.requeued ?? 0} queued again`);
      })
      .catch((e: unknown) => console.error("[reconciler] scan failed; retrying at the next one:", (e as Error).message));
  };
  scanLogged(); // at start-up
  const timer = setInterval(scanLogged, intervalMs);
  timer.unref();

  return {
    scan,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await scanning;
      await events.close();
      connection.disconnect();
    },
  };
}
