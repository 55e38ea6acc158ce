import { ConfigError, getConfig, knownSecretValues } from "../lib/config";
import { createRunsQueue } from "../lib/queue";
import { RedisPolicyError, assertNoEviction, createRedis, waitForRedis } from "../lib/redis";
import { inspectRedisDurability } from "../lib/redisDurability";
import { startEnvironmentCaches } from "./environment/cacheAdmin";
import { errorMessage } from "./errors";
import { cleanupStaleAttempts } from "./git/attempt";
import { cleanupStalePoolEntries, refillAllPools, stopPoolRefills } from "./git/workspacePool";
import { startHealthServer } from "./health";
import { startAdvertising } from "./advertise";
import { createLogger } from "./logger";
import { SANDBOX_OFF_HINT, probeSandbox } from "./sandbox/probe";
import { sandboxSettings } from "./sandbox/spec";
import { workerName } from "./runJob";
import { startWorkspaceAdmin } from "./workspaces/admin";
import { createRunWorker } from "./worker";

/**
 * The job process (`npm run worker`): takes run jobs from the `runs` queue, serves /health
 * and /metrics on WORKER_PORT, and stops gracefully on SIGTERM/SIGINT.
 */
const logger = createLogger(knownSecretValues());

/** The operator must act: the sandbox does not work here. */
class SandboxUnavailableError extends Error {}

async function main(): Promise<void> {
  const config = getConfig();
  // Before anything else: a job process that cannot sandbox must not take runs.
  if (config.sandbox === "on") {
    const failed = await probeSandbox(sandboxSettings());
    if (failed) throw new SandboxUnavailableError(`The sandbox does not work on this machine: ${failed}; ${SANDBOX_OFF_HINT}.`);
  } else {
    logger.warn("SANDBOX=off: run commands execute without a sandbox, as this process's user, with its file system and network");
  }
  const redis = createRedis(config.redisUrl, "worker", "worker");
  redis.on("error", (e) => logger.warn("redis connection error", { error: errorMessage(e) }));
  await waitForRedis(redis, 10_000).catch((e: unknown) => {
    throw new Error(`Redis is not reachable at REDIS_URL: ${errorMessage(e)}`);
  });
  await assertNoEviction(redis);
  const durability = await inspectRedisDurability(redis);
  if (durability.warning) logger.warn(`REDIS KEEPS NOTHING ON DISK: ${durability.warning}`, { redisPersistence: durability.persistence });

  const removed = await cleanupStaleAttempts(config.dataDir, logger);
  if (removed.length > 0) logger.info("removed stale run workspaces", { count: removed.length });
  await cleanupStalePoolEntries(config.dataDir, logger);
  await refillAllPools(config.dataDir, { size: config.workspacePoolSize, logger });
  // Cached environments within their limits (and cleared as admins asked) before the first run looks.
  await startEnvironmentCaches({ redis, config, worker: workerName, logger }).catch((e: unknown) =>
    logger.warn("could not look after the environment caches at start-up", { error: errorMessage(e) }),
  );

  if (config.globalConcurrency !== undefined) {
    const queue = createRunsQueue(redis, config.redisPrefix);
    await queue.setGlobalConcurrency(config.globalConcurrency);
    await queue.close();
  }

  const runWorker = await createRunWorker({ config, redis, logger });
  const health = await startHealthServer({
    port: config.workerPort,
    redis,
    registry: runWorker.metrics.registry,
    status: () => ({ activeRuns: runWorker.activeRuns(), concurrency: config.workerConcurrency }),
    logger,
  });
  const advertising = startAdvertising({
    redis,
    config,
    name: workerName,
    registry: runWorker.executors,
    activeRuns: runWorker.activeRuns,
    logger,
  });
  // Its workspaces on the admin page: reported, swept by age and size, deleted on an admin's request.
  const workspaceAdmin = startWorkspaceAdmin({ redis, config, worker: workerName, logger });
  logger.info("job process ready", {
    port: health.port,
    concurrency: config.workerConcurrency,
    sandbox: config.sandbox,
    globalConcurrency: config.globalConcurrency ?? null,
    dataDir: config.dataDir,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal, activeRuns: runWorker.activeRuns(), deadlineMs: config.shutdownDeadlineMs });
    // A last resort if closing hangs (Redis gone): exit anyway just past the deadline.
    setTimeout(() => {
      logger.error("shutdown deadline passed; exiting");
      process.exit(1);
    }, config.shutdownDeadlineMs + 1_000).unref();
    // First, so the web stops offering what this process is about to stop doing.
    await advertising.stop();
    await workspaceAdmin.stop();
    const inTime = await runWorker.close(config.shutdownDeadlineMs);
    await stopPoolRefills();
    await health.close();
    await redis.quit();
    logger.info("stopped", { inTime });
    process.exit(inTime ? 0 : 1);
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      shutdown(signal).catch((e: unknown) => {
        logger.error("shutdown failed", { error: errorMessage(e) });
        process.exit(1);
      });
    });
  }
}

main().catch((e: unknown) => {
  // Configuration and Redis policy problems are the operator's to fix: say so plainly.
  const plain = e instanceof ConfigError || e instanceof RedisPolicyError || e instanceof SandboxUnavailableError;
  logger.error(plain ? errorMessage(e) : "job process failed to start", plain ? {} : { error: e });
  process.exit(1);
});
