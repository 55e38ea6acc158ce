import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { ExecutorRegistry } from "../../jobs/executors";
import { silentLogger } from "../../jobs/logger";
import { createRunWorker, type RunWorker } from "../../jobs/worker";
import type { Config } from "../../lib/config";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import type { RunEvent } from "../../lib/events";
import { createRunsQueue, runJobOptions, type JobPayload, type RunJobPayload } from "../../lib/queue";
import { createRedis } from "../../lib/redis";
import { hasEnded, waitForEvents } from "../jobs/helpers";
import { createTestRepo, type FileChanges, type TestRepo } from "./gitRepo";

/**
 * What the executor harnesses (tests/agent/agentHarness.ts, tests/executors/acpHarness.ts)
 * share: an in-process job process on real Redis (the test file's namespace), BullMQ and a real
 * git repository, with the given executors. Each harness adds how it scripts its agent.
 */
export type WorkerHarness = {
  redis: Redis;
  log: EventLog;
  queue: Queue<JobPayload>;
  /** The job process's worker now running (a new one after `restartWorker`). */
  readonly worker: RunWorker;
  repo: TestRepo;
  /** Queues a run job; resolves with its payload. */
  queueRun(payload: RunJobPayload): Promise<RunJobPayload>;
  /**
   * Shuts the worker down as SIGTERM would (its runs go back to the queue); `whileDown` runs
   * with no worker at all; then a new worker takes the runs up again.
   */
  restartWorker(whileDown?: () => Promise<void> | void): Promise<void>;
  /** All of a run's events once its job-ending event is there. */
  waitEnded(runId: string, timeoutMs: number): Promise<RunEvent[]>;
  close(): Promise<void>;
};

export async function startWorkerHarness(options: {
  config: Config;
  files?: FileChanges;
  executors: ExecutorRegistry;
  cancelPollMs: number;
  /** How long a restart lets the old worker finish before it gives up. */
  restartCloseMs: number;
}): Promise<WorkerHarness> {
  const { config, executors } = options;
  const redis = createRedis(config.redisUrl, "worker");
  const log = createEventLog(redis, config.redisPrefix);
  const queue = createRunsQueue(redis, config.redisPrefix);
  const repo = await createTestRepo({ files: options.files });
  const startWorker = () => createRunWorker({ config, redis, logger: silentLogger, executors, cancelPollMs: options.cancelPollMs });
  let worker = await startWorker();
  return {
    redis,
    log,
    queue,
    get worker() {
      return worker;
    },
    repo,
    async queueRun(payload) {
      await queue.add("run", payload, runJobOptions(payload.runId, "normal"));
      return payload;
    },
    async restartWorker(whileDown) {
      await worker.close(options.restartCloseMs);
      await whileDown?.();
      worker = await startWorker();
    },
    waitEnded: (runId, timeoutMs) => waitForEvents(log, runId, hasEnded, timeoutMs),
    async close() {
      await worker.close(5_000);
      await queue.close();
      await redis.quit();
      await repo.remove();
    },
  };
}
