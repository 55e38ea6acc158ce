import { desc, eq } from "drizzle-orm";
import { reviewDecision } from "../db/schema";
import { displayRemote } from "../displayRemote";
import { appendEventOnce } from "../eventLog";
import { reviewJobIds } from "../queue";
import type { App } from "./app";
import { runWithRepository } from "../services/runWithRepository";
import { STALLED_REASON, liveJobStates, type ReconcileOutcome } from "./reconcileRun";

function whyPushEnded(state: string, failedReason: string | undefined): string {
  if (state === "failed" && failedReason && STALLED_REASON.test(failedReason)) {
    return "push failed: the job process pushing it stopped responding twice (stalled); push again";
  }
  if (state === "failed") return `push failed: its job failed outside the push (${failedReason || "no reason given"}); push again`;
  if (state === "completed") return "push failed: its job finished without saying how the push ended; push again";
  return "push failed: its job is gone from Redis (removed, or Redis lost its data); push again";
}

/**
 * A `pushing` run whose push job can no longer end the push (BullMQ failed it itself after it
 * stalled twice, or it is gone) goes back to review with the reason, so a person sees it and
 * can push again ("Retry push"). The outcome is announced with the decision's once-key, the
 * same the push job uses (jobs/review/pushLock.ts): whichever comes first, the push has one
 * `push.finished`. The reconciler (reconciler.ts) calls this for runs in `pushing`.
 */
export async function reconcilePush(app: App, runId: string): Promise<ReconcileOutcome> {
  const found = await runWithRepository(app, runId);
  if (found?.run.status !== "pushing") return "ok";
  const [decision] = await app.db
    .select()
    .from(reviewDecision)
    .where(eq(reviewDecision.runId, runId))
    .orderBy(desc(reviewDecision.number))
    .limit(1);
  if (decision?.action !== "push") return "ok";
  const jobId = reviewJobIds.push(decision.id);
  // On the reviews queue; an older deploy queued pushes on the runs queue.
  const job = (await app.reviewsQueue.getJob(jobId)) ?? (await app.queue.getJob(jobId));
  const state = job ? await job.getState() : "unknown";
  if (liveJobStates.has(state)) return "ok";
  const onceKey = app.eventLog.keys.pushOutcome(decision.id);
  // The push job announced its outcome; the recorder has not projected it yet.
  if ((await app.eventLog.redis.exists(onceKey)) === 1) return "ending";
  const error = whyPushEnded(state, job?.failedReason);
  const appended = await appendEventOnce(
    app.eventLog,
    runId,
    { type: "push.finished", ok: false, remote: displayRemote(found.repo.url), branch: found.run.branch, error },
    onceKey,
  );
  if (!appended) return "ending";
  console.warn(`[reconciler] run ${runId}: ${error}`);
  return "failed";
}
