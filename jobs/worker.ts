import { UnrecoverableError, Worker, type Job, type WorkerOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { Config } from "../lib/config";
import { createEventLog } from "../lib/eventLog";
import { RUNS_QUEUE, createRunsQueue, jobPayload, queuePrefix, type JobPayload, type ReviewJobPayload, type RunJobPayload } from "../lib/queue";
import { RunRegistry } from "./cancellation";
import { errorMessage } from "./errors";
import { defaultExecutors, type ExecutorRegistry } from "./executors";
import { clearSuspension } from "./input/suspension";
import { startRunWaker } from "./input/waker";
import { rejectInvalidJob } from "./invalidJob";
import type { Logger } from "./logger";
import { createWorkerMetrics, type JobOutcome, type WorkerMetrics } from "./metrics";
import { processReviewJob, refuseCliFeedback } from "./review";
import { FenceRegistry } from "./run/fence";
import { createReviewWorker } from "./review/worker";
import { createRepoCheckWorker } from "./repoCheck";
import { holdRunFolder } from "./workspaces/inUse";
import { processRunJob, workerName } from "./runJob";

export type RunWorkerOptions = {
  config: Config;
  /** A `createRedis(url, "worker")` connection; the caller owns (and closes) it. */
  redis: Redis;
  /** Redis key namespace; defaults to `config.redisPrefix`. */
  namespace?: string;
  logger: Logger;
  executors?: ExecutorRegistry;
  metrics?: WorkerMetrics;
  /** How often active runs' cancel keys are polled, besides the pub/sub message. */
  cancelPollMs?: number;
  /** BullMQ's lock and stall settings (tests shorten them; production keeps BullMQ's). */
  locking?: Pick<WorkerOptions, "lockDuration" | "stalledInterval" | "maxStalledCount">;
  /** How often an active run checks it still holds its job lock (jobs/run/fence.ts). */
  fenceCheckMs?: number;
  /** How often suspended runs are checked for an answer or a cancel (jobs/input/waker.ts). */
  wakePollMs?: number;
};

export type RunWorker = {
  worker: Worker<JobPayload, JobOutcome>;
  /** The `reviews` queue's worker (push, discard). */
  reviewWorker: Worker<ReviewJobPayload, JobOutcome>;
  metrics: WorkerMetrics;
  executors: ExecutorRegistry;
  activeRuns(): number;
  /**
   * Graceful stop: takes no new job, stops active runs (they go back to the queue without
   * using an attempt), closes the worker. Resolves false if `deadlineMs` passed first.
   */
  close(deadlineMs?: number): Promise<boolean>;
};

/**
 * The BullMQ workers of the `runs` and `reviews` queues and the waker of suspended runs, with
 * everything a job needs. Services receive their
 * configuration as arguments, so tests run it in-process under their own namespace.
 */
export async function createRunWorker(options: RunWorkerOptions): Promise<RunWorker> {
  const { config, redis, logger } = options;
  const namespace = options.namespace ?? config.redisPrefix;
  const eventLog = createEventLog(redis, namespace);
  const metrics = options.metrics ?? createWorkerMetrics();
  const executors = options.executors ?? defaultExecutors(config);
  const runs = await RunRegistry.start(eventLog, logger, options.cancelPollMs);
  const fences = new FenceRegistry();
  const deps = { config, eventLog, runs, executors, logger, fences, fenceCheckMs: options.fenceCheckMs };

  const processor = async (job: Job<JobPayload>, token?: string): Promise<JobOutcome> => {
    const parsed = jobPayload.safeParse(job.data);
    if (!parsed.success) return rejectInvalidJob(eventLog, logger, job, parsed.error);
    const payload = parsed.data;
    // Held before the suspension is cleared, so the workspace admin never sees the run as neither.
    const release = holdRunFolder(payload.runId);
    try {
      // Push and discard jobs queued here by deploys from before the `reviews` queue.
      if (payload.kind !== "run") return await processReviewJob(deps, job, payload);
      return await processRun(job, payload, token);
    } finally {
      release();
    }
  };

  const processRun = async (job: Job<JobPayload>, payload: RunJobPayload, token?: string): Promise<JobOutcome> => {
    // This delivery is the run's resume if it was suspended: its waker has nothing left to do.
    await clearSuspension(eventLog, payload.runId);
    await refuseCliFeedback(deps, payload);
    metrics.runsStarted.inc();
    metrics.activeRuns.inc();
    const endTimer = metrics.jobDuration.startTimer();
    const started = Date.now();
    logger.info("run job started", { runId: payload.runId, jobId: job.id, attemptsStarted: job.attemptsStarted });
    let outcome: JobOutcome = "failed";
    try {
      outcome = await processRunJob(deps, job, token, payload);
      return outcome;
    } catch (e) {
      outcome = outcomeOfError(e, job);
      throw e;
    } finally {
      metrics.activeRuns.dec();
      metrics.runsFinished.inc({ outcome });
      endTimer({ outcome });
      logger.info("run job finished", { runId: payload.runId, jobId: job.id, outcome, durationMs: Date.now() - started });
    }
  };

  const worker = new Worker<JobPayload, JobOutcome>(RUNS_QUEUE, processor, {
    connection: redis,
    prefix: queuePrefix(namespace),
    concurrency: config.workerConcurrency,
    ...options.locking,
  });
  // A job whose lock could not be renewed (this process was paused past it, Redis was away)
  // belongs to whoever BullMQ hands it to next: its delivery here stops and changes nothing.
  worker.on("lockRenewalFailed", (jobIds) => {
    logger.warn("lost the lock of active jobs; stopping them", { jobIds });
    fences.lost(jobIds);
  });
  worker.on("stalled", (jobId) => fences.lost([jobId]));
  worker.on("error", (e) => logger.error("worker error", { error: errorMessage(e) }));
  worker.on("failed", (job, e) => {
    logger.warn("job failed", { jobId: job?.id, attemptsMade: job?.attemptsMade, error: errorMessage(e) });
  });
  await worker.waitUntilReady();
  const reviewWorker = await createReviewWorker({ config, redis, namespace, eventLog, logger, locking: options.locking });
  // An admin's "Test connection" of a repository: checked here, where its credential is.
  const repoCheckWorker = await createRepoCheckWorker({ config, redis, namespace, name: workerName, logger });
  const wakerQueue = createRunsQueue(redis, namespace);
  const waker = startRunWaker({ eventLog, queue: wakerQueue, logger, pollMs: options.wakePollMs ?? 1_000 });

  let closing: Promise<boolean> | undefined;
  const close = (deadlineMs = config.shutdownDeadlineMs) => {
    closing ??= (async () => {
      // Both stop fetching at once, then wait for their active jobs; a push is left to finish.
      const closed = Promise.all([worker.close(), reviewWorker.close(), repoCheckWorker.close(), waker.close()]);
      runs.stopAll({ kind: "shutdown" });
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([
        closed.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), deadlineMs);
        }),
      ]);
      clearTimeout(timer);
      if (!inTime) logger.error("worker did not close within the shutdown deadline", { deadlineMs });
      await runs.close();
      await wakerQueue.close();
      return inTime;
    })();
    return closing;
  };

  return { worker, reviewWorker, metrics, executors, activeRuns: () => runs.size, close };
}

function outcomeOfError(e: unknown, job: Job<JobPayload>): JobOutcome {
  if (e instanceof UnrecoverableError) return "failed";
  if (e instanceof Error && e.name === "WaitingError") return "requeued";
  if (e instanceof Error && e.name === "DelayedError") return "suspended";
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1) ? "failed" : "retrying";
}
