import { Worker, type Job, type WorkerOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { Config } from "../../lib/config";
import type { EventLog } from "../../lib/eventLog";
import { REVIEWS_QUEUE, queuePrefix, reviewJobPayload, type ReviewJobPayload } from "../../lib/queue";
import { errorMessage } from "../errors";
import { rejectInvalidJob } from "../invalidJob";
import type { Logger } from "../logger";
import type { JobOutcome } from "../metrics";
import { holdRunFolder } from "../workspaces/inUse";
import { processReviewJob } from ".";

export type ReviewWorkerOptions = {
  config: Config;
  redis: Redis;
  namespace: string;
  eventLog: EventLog;
  logger: Logger;
  /** BullMQ's lock and stall settings, as the runs worker has them (tests shorten them). */
  locking?: Pick<WorkerOptions, "lockDuration" | "stalledInterval" | "maxStalledCount">;
};

/**
 * The BullMQ worker of the `reviews` queue: pushes and discards, with their own concurrency
 * (REVIEW_CONCURRENCY), so a decision is carried out while every run slot is busy.
 */
export async function createReviewWorker(options: ReviewWorkerOptions): Promise<Worker<ReviewJobPayload, JobOutcome>> {
  const { config, eventLog, logger } = options;
  const deps = { config, eventLog, logger };
  const processor = async (job: Job<ReviewJobPayload>): Promise<JobOutcome> => {
    const parsed = reviewJobPayload.safeParse(job.data);
    if (!parsed.success) return rejectInvalidJob(eventLog, logger, job, parsed.error);
    // The same job type as on the `runs` queue, where older deploys queued these.
    const release = holdRunFolder(parsed.data.runId);
    try {
      return await processReviewJob(deps, job, parsed.data);
    } finally {
      release();
    }
  };
  const worker = new Worker<ReviewJobPayload, JobOutcome>(REVIEWS_QUEUE, processor, {
    connection: options.redis,
    prefix: queuePrefix(options.namespace),
    concurrency: config.reviewConcurrency,
    ...options.locking,
  });
  worker.on("error", (e) => logger.error("review worker error", { error: errorMessage(e) }));
  worker.on("failed", (job, e) => {
    logger.warn("review job failed", { jobId: job?.id, attemptsMade: job?.attemptsMade, error: errorMessage(e) });
  });
  await worker.waitUntilReady();
  return worker;
}
