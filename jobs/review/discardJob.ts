import type { Job } from "bullmq";
import { forgetRunState } from "../../lib/runRetention";
import { knownSecretValues } from "../../lib/config";
import type { DiscardJobPayload, JobPayload } from "../../lib/queue";
import { createRunEmitter } from "../emit";
import { validateRunBranch } from "../git/branchName";
import { removeRunRepo } from "../git/runRepo";
import type { JobOutcome } from "../metrics";
import type { ReviewJobDeps } from "./pushJob";

/**
 * A discarded run's repository (its branch) leaves this job process, and its bundle leaves
 * Redis. The remote is never contacted. Safe to run twice: a repository already gone is fine.
 */
export async function processDiscardJob(deps: ReviewJobDeps, job: Job<JobPayload>, payload: DiscardJobPayload): Promise<JobOutcome> {
  const { config, eventLog } = deps;
  const { runId, branch } = payload;
  const logger = deps.logger.child({ runId, jobId: job.id, decisionId: payload.decisionId });
  await validateRunBranch(branch);
  const deleted = await removeRunRepo(config.dataDir, runId);
  await forgetRunState(eventLog, runId);
  logger.info("discarded the run's branch", { branch, deletedFromMirror: deleted });
  const emit = createRunEmitter(eventLog, runId, knownSecretValues());
  await emit({
    type: "log",
    level: "info",
    message: deleted
      ? `branch ${branch} deleted with the run's repository on this job process; the remote was not touched`
      : `branch ${branch} was not on this job process; the remote was not touched`,
  });
  return "completed";
}
