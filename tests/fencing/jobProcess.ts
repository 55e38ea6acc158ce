import { createLogger } from "../../jobs/logger";
import { createRunWorker } from "../../jobs/worker";
import { loadConfig } from "../../lib/config";
import { createRedis } from "../../lib/redis";

/**
 * A real job process for the fault tests: the real worker (jobs/worker.ts) in its own OS
 * process, so a test can SIGSTOP, SIGCONT and SIGKILL it. Only BullMQ's lock and stall timings
 * are shortened (TEST_LOCK_MS, TEST_MAX_STALLED), so a lost lock takes seconds, not a minute.
 * Prints "ready" once it takes jobs; its log lines are JSON, as the real job process's.
 */
const config = loadConfig();
const lockDuration = Number(process.env.TEST_LOCK_MS ?? 2_000);
const redis = createRedis(config.redisUrl, "worker", "fault-test-worker");
redis.on("error", () => undefined);
const logger = createLogger([]);
const worker = await createRunWorker({
  config,
  redis,
  logger,
  locking: { lockDuration, stalledInterval: lockDuration / 2, maxStalledCount: Number(process.env.TEST_MAX_STALLED ?? 1) },
  fenceCheckMs: 250,
});
console.log("ready");
process.on("SIGTERM", () => {
  void worker.close(2_000).then(() => process.exit(0));
});
