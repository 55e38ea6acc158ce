import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { silentLogger } from "../../jobs/logger";
import { createRunWorker, type RunWorker } from "../../jobs/worker";
import { loadConfig } from "../../lib/config";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import { createRunsQueue, type JobPayload } from "../../lib/queue";
import { createRedis } from "../../lib/redis";
import { createTestRepo, type TestRepo } from "./gitRepo";

export type InProcessWorker = {
  redis: Redis;
  log: EventLog;
  queue: Queue<JobPayload>;
  runWorker: RunWorker;
  /** A small repository (README.md "hello") runs are made against. */
  repo: TestRepo;
};

/**
 * The job process's whole pipeline inside this test process: a real BullMQ worker on the test
 * file's Redis prefix, its event log, the `runs` queue, and a repository to run against.
 * Registers its own beforeAll/afterAll; the fields are set once beforeAll has run.
 */
export function withInProcessWorker(connectionName?: string): InProcessWorker {
  const config = loadConfig();
  const pipeline = {} as InProcessWorker;
  beforeAll(async () => {
    pipeline.redis = createRedis(config.redisUrl, "worker", connectionName);
    pipeline.log = createEventLog(pipeline.redis, config.redisPrefix);
    pipeline.queue = createRunsQueue(pipeline.redis, config.redisPrefix);
    pipeline.repo = await createTestRepo({ files: { "README.md": "hello\n" } });
    pipeline.runWorker = await createRunWorker({ config, redis: pipeline.redis, logger: silentLogger, cancelPollMs: 500 });
  });
  afterAll(async () => {
    await pipeline.runWorker?.close(5_000);
    await pipeline.queue?.close();
    await pipeline.redis?.quit();
    await pipeline.repo?.remove();
  });
  return pipeline;
}
