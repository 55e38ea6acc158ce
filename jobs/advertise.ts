import type { Redis } from "ioredis";
import type { Config } from "../lib/config";
import { executors } from "../lib/queue";
import { advertiseWorker, withdrawWorker, ADVERT_TTL_SEC } from "../lib/workerDirectory";
import { errorMessage } from "./errors";
import type { ExecutorRegistry } from "./executors";
import type { Logger } from "./logger";

/**
 * Keeps this job process's advert (what it can run) fresh in Redis while it lives, and takes it
 * back on shutdown, so the web offers only executors some job process can take.
 */
export function startAdvertising(opts: {
  redis: Redis;
  config: Pick<Config, "redisPrefix" | "workerConcurrency" | "agentDemo" | "sandbox">;
  name: string;
  registry: ExecutorRegistry;
  activeRuns: () => number;
  logger: Logger;
}): { stop: () => Promise<void> } {
  const { redis, config, name, registry, logger } = opts;
  const startedAt = new Date().toISOString();
  const publish = () =>
    advertiseWorker(redis, config.redisPrefix, {
      name,
      startedAt,
      concurrency: config.workerConcurrency,
      activeRuns: opts.activeRuns(),
      sandbox: config.sandbox,
      executors: executors.map((executor) => {
        const entry = registry.get(executor);
        const reason = entry ? entry.unavailableReason() : "not built into this job process";
        return {
          name: executor,
          available: reason === null,
          ...(reason === null ? {} : { reason }),
          ...(executor === "agent" && config.agentDemo ? { demo: true } : {}),
        };
      }),
    }).catch((e: unknown) => logger.warn("could not advertise this job process", { error: errorMessage(e) }));
  void publish();
  const timer = setInterval(publish, (ADVERT_TTL_SEC * 1000) / 3);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await withdrawWorker(redis, config.redisPrefix, name).catch((e: unknown) =>
        logger.warn("could not withdraw this job process's advert", { error: errorMessage(e) }),
      );
    },
  };
}
