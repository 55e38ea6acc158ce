import { UnrecoverableError, type Job } from "bullmq";
import { knownSecretValues } from "../../lib/config";
import { CLI_FEEDBACK_REFUSAL, takesFeedback } from "../../lib/reviewRules";
import type { DiscardJobPayload, JobPayload, PushJobPayload, RunJobPayload } from "../../lib/queue";
import { createRunEmitter } from "../emit";
import type { JobOutcome } from "../metrics";
import { processDiscardJob } from "./discardJob";
import { processPushJob, type ReviewJobDeps } from "./pushJob";

export type { ReviewJobDeps } from "./pushJob";

/** Jobs that carry out a review decision (push, discard), by payload kind. */
export async function processReviewJob(
  deps: ReviewJobDeps,
  job: Job<JobPayload>,
  payload: PushJobPayload | DiscardJobPayload,
): Promise<JobOutcome> {
  deps.logger.info(`${payload.kind} job started`, { runId: payload.runId, jobId: job.id, decisionId: payload.decisionId });
  const outcome =
    payload.kind === "push" ? await processPushJob(deps, job, payload) : await processDiscardJob(deps, job, payload);
  deps.logger.info(`${payload.kind} job finished`, { runId: payload.runId, jobId: job.id, outcome });
  return outcome;
}

/**
 * A shell command cannot be told what to change. The web never queues such a job; one that
 * arrives anyway (an old client, a hand-made job) fails for good with the reason.
 */
export async function refuseCliFeedback(deps: ReviewJobDeps, payload: RunJobPayload): Promise<void> {
  if (!payload.feedback || takesFeedback(payload.executor)) return;
  const emit = createRunEmitter(deps.eventLog, payload.runId, knownSecretValues());
  await emit({ type: "run.failed", error: CLI_FEEDBACK_REFUSAL });
  throw new UnrecoverableError(CLI_FEEDBACK_REFUSAL);
}
