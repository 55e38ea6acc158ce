import crypto from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { loadConfig } from "../../lib/config";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import { createRedis } from "../../lib/redis";

/**
 * A job-process-style Redis connection and event log for this test file (its own REDIS_PREFIX,
 * see tests/support/setup.ts), opened before the tests and closed after them.
 */
export function jobEventLogForFile(): { config: ReturnType<typeof loadConfig>; redis: () => Redis; log: () => EventLog } {
  const config = loadConfig();
  let redis: Redis | undefined;
  let log: EventLog | undefined;
  beforeAll(() => {
    redis = createRedis(config.redisUrl, "worker");
    log = createEventLog(redis, config.redisPrefix);
  });
  afterAll(async () => {
    await redis?.quit();
  });
  return { config, redis: () => redis!, log: () => log! };
}

export const newRunId = () => `run-${crypto.randomBytes(6).toString("hex")}`;
