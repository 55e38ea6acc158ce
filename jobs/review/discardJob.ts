import type { Job } from "bullmq";
import { knownSecretValues } from "../../lib/config";
import type { DiscardJobPayload, JobPayload } from "../../lib/queue";
import { createRunEmitter } from "../emit";
import { pathExists } from "../fsUtil";
import { deleteRunBundle } from "../git/bundle";
import { mirrorPath, withMirrorLock } from "../git/mirror";
import { deleteMirrorBranch } from "../git/push";
import type { JobOutcome } from "../metrics";
import type { ReviewJobDeps } from "./pushJob";

/**
 * A discarded run's branch leaves this job process's mirror, and its bundle leaves Redis. The
 * remote is never contacted. Safe to run twice: a branch already gone is fine.
 */
export async function processDiscardJob(deps: ReviewJobDeps, job: Job<JobPayload>, payload: DiscardJobPayload): Promise<JobOutcome> {
  const { config, eventLog } = deps;
  const { runId, branch, repo } = payload;
  const logger = deps.logger.child({ runId, jobId: job.id, decisionId: payload.decisionId });
  const mirror = mirrorPath(config.dataDir, repo.url);
  const deleted = (await pathExists(mirror)) && (await withMirrorLock(mirror, () => deleteMirrorBranch(mirror, branch)));
  await deleteRunBundle(eventLog, runId);
  logger.info("discarded the run's branch", { branch, deletedFromMirror: deleted });
  const emit = createRunEmitter(eventLog, runId, knownSecretValues());
  await emit({
    type: "log",
    level: "info",
    message: deleted
      ? `branch ${branch} deleted from the job process's mirror; the remote was not touched`
      : `branch ${branch} was not in this job process's mirror; the remote was not touched`,
  });
  return "completed";
}
