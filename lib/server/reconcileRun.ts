import type { Job } from "bullmq";
import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import { activeStatuses } from "../contracts/runLifecycle";
import { reviewDecision } from "../db/schema";
import { appendEventIfTail, decodeEntry, type EventLog } from "../eventLog";
import { endsStream } from "../events";
import { forgetRunState } from "../runRetention";
import { reviewJobIds, reviewJobOptions, runJobOptions, type JobPayload, type Priority } from "../queue";
import { runJobPayloadFor, runJobSpecsFor } from "../services/runPayload";
import { runWithRepository } from "../services/runWithRepository";
import { settleWaitingRun, waitingTail } from "../services/runDependencies";
import type { App } from "./app";

/**
 * One run's truth check (the reconciler's unit of work, lib/server/reconciler.ts): a run the
 * database shows as queued or under way must have a BullMQ job that can still end it. When
 * BullMQ failed the job itself (stalled too often), or the job is gone (removed, a Redis that
 * lost its data), nothing of ours will ever append the run's terminal event: this does,
 * through the event log, so the projection writes the status. A queued run whose job is
 * missing is queued again from its row instead.
 *
 * Safe with several web processes at once: the terminal event is appended only if the run's
 * stream still ends where this check read it (compare-and-swap), and a job added again keeps
 * its deterministic id, so BullMQ takes it once.
 */

export type ReconcileOutcome =
  /** The run's job is alive (or the run is not under way): nothing to do. */
  | "ok"
  /** Its job ended the run already; the recorder has not projected that yet. */
  | "ending"
  /** Queued again from its row. */
  | "requeued"
  /** Ended `failed` with a reason a person can act on. */
  | "failed"
  /** Something was appended while deciding; the next round looks again. */
  | "raced";

/** Statuses in which a run's job is supposed to be queued or running (the lifecycle's active ones). */
export const jobHeldStatuses = activeStatuses;
const jobHeld: ReadonlySet<string> = new Set(jobHeldStatuses);
export const liveJobStates: ReadonlySet<string> = new Set(["waiting", "active", "delayed", "prioritized", "waiting-children"]);

// BullMQ's own reason when a job stalled more often than maxStalledCount allows.
export const STALLED_REASON = /stalled more than allowable limit/i;

/** What a person reads on the failed run: what happened, and what to do. */
export function failureReasonFor(failedReason: string | undefined): string {
  if (failedReason && STALLED_REASON.test(failedReason)) {
    return "the job process running it stopped responding twice (stalled); retry the run";
  }
  return `its job failed outside the run (${failedReason || "no reason given"}); retry the run`;
}

const GONE_REASON = "its job is gone from Redis (removed, or Redis lost its data) while the run was under way; retry the run";

/** The job that carries the run now: its own, or the follow-up of a "request changes". */
async function currentJob(app: Pick<App, "db">, runId: string, priority: string) {
  const [latest] = await app.db
    .select()
    .from(reviewDecision)
    .where(eq(reviewDecision.runId, runId))
    .orderBy(desc(reviewDecision.number))
    .limit(1);
  // A run under way after a review can only be the follow-up of a "request changes".
  if (latest?.action === "request_changes") {
    const jobId = reviewJobIds.changes(runId, latest.id);
    return { jobId, options: reviewJobOptions(jobId), feedback: { decisionId: latest.id, text: latest.feedback ?? "" } };
  }
  return { jobId: runId, options: runJobOptions(runId, priority as Priority), feedback: undefined };
}

/**
 * Whether the run's current job already appended its ending event, read from the run's own
 * stream (the database may lag behind), and the stream's last id for the compare-and-swap.
 * Newest first: an ending event before any sign of a newer job (a start, a decision) means
 * the job ended; the window is bounded, since an ending event is a job's last word.
 */
async function streamState(log: EventLog, runId: string): Promise<{ ended: boolean; tail: string | null }> {
  const entries = await log.redis.xrevrange(log.keys.runEvents(runId), "+", "-", "COUNT", 200);
  const tail = entries[0]?.[0] ?? null;
  for (const [, fields] of entries) {
    const event = decodeEntry(runId, fields);
    if (!event) continue;
    if (endsStream(event)) return { ended: true, tail };
    if (event.type === "run.started" || event.type === "run.queued" || event.type === "review.decided") break;
  }
  return { ended: false, tail };
}

async function fail(app: App, runId: string, error: string, tail: string | null): Promise<ReconcileOutcome> {
  const appended = await appendEventIfTail(app.eventLog, runId, { type: "run.failed", error }, tail);
  if (!appended) return "raced";
  // The run is over without review: its bundle, checkpoint and conversation leave Redis.
  await forgetRunState(app.eventLog, runId);
  console.warn(`[reconciler] run ${runId} failed: ${error}`);
  return "failed";
}

/** A payload's validation failure as a person reads it: the field, and what is wrong. */
function whyNotValid(e: unknown): string {
  if (e instanceof z.ZodError) return e.issues.map((i) => `${i.path.join(".") || "job"}: ${i.message}`).join("; ");
  return e instanceof Error ? e.message : String(e);
}


/** Checks one run and puts it right; see the module comment. */
export async function reconcileRun(app: App, runId: string): Promise<ReconcileOutcome> {
  const found = await runWithRepository(app, runId);
  // A run waiting for others has no job by design: whether it may go now is settled instead.
  if (found?.run.status === "waiting_dependencies") return settled(app, runId);
  if (!found || !jobHeld.has(found.run.status)) return "ok";
  const { run: row, repo } = found;
  const { jobId, options, feedback } = await currentJob(app, row.id, row.priority);
  const job: Job<JobPayload> | undefined = await app.queue.getJob(jobId);
  const state = job ? await job.getState() : "unknown";
  if (liveJobStates.has(state)) return "ok";

  const { ended, tail } = await streamState(app.eventLog, row.id);
  if (ended) return "ending";
  if (state === "failed") return fail(app, row.id, failureReasonFor(job?.failedReason), tail);
  if (state === "unknown" && row.status === "queued") {
    // Queued in the database, but waiting in its stream (run.waiting not projected yet).
    if (await waitingTail(app.eventLog, row.id)) return settled(app, row.id);
    const specs = await runJobSpecsFor(app, row, repo.id);
    let payload: JobPayload;
    try {
      // Built exactly as createRun (or the review's follow-up) built it.
      payload = runJobPayloadFor(row, repo, { ...specs, feedback });
    } catch (e) {
      return fail(app, row.id, `it could not be queued again (${whyNotValid(e)}); start a new run`, tail);
    }
    await app.queue.add(payload.kind, payload, options);
    console.warn(`[reconciler] run ${row.id} had no job; queued it again as ${jobId}`);
    return "requeued";
  }
  // Completed without an ending event, or gone while the run was under way.
  return fail(app, row.id, state === "completed" ? "its job finished without saying how the run ended; retry the run" : GONE_REASON, tail);
}

/** A waiting run's settling (lib/services/runDependencies.ts) as a reconcile outcome. */
async function settled(app: App, runId: string): Promise<ReconcileOutcome> {
  const outcome = await settleWaitingRun(app, runId);
  if (outcome === "released") return "requeued";
  if (outcome === "raced") return "raced";
  return "ok";
}
