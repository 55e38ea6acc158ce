import type { Redis } from "ioredis";
import { readAcpAgentRegistry } from "../lib/acpAgentRegistry";
import type { Config } from "../lib/config";
import type { AcpAgentSpec } from "../lib/contracts/executorSpecs";
import { executors } from "../lib/queue";
import { advertiseWorker, withdrawWorker, ADVERT_TTL_SEC, type WorkerAdvert } from "../lib/workerDirectory";
import { maintainEnvironmentCachesQuietly, withdrawEnvironmentCacheReport } from "./environment/cacheAdmin";
import { errorMessage } from "./errors";
import { acpAgentAvailability } from "./executors/acp";
import type { ExecutorRegistry } from "./executors";
import type { Logger } from "./logger";

/** Why this job process cannot run the executor `name`, or null when it can. */
function executorReason(registry: ExecutorRegistry, name: (typeof executors)[number]): string | null {
  const entry = registry.get(name);
  return entry ? entry.unavailableReason() : "not built into this job process";
}

/**
 * What this job process says about each registered ACP agent: available when it runs the acp
 * executor at all and the agent's program and variables are there (acpAgentAvailability).
 */
export function acpAgentOffers(
  registry: ExecutorRegistry,
  agents: readonly AcpAgentSpec[],
  availability: (spec: AcpAgentSpec) => string | null = acpAgentAvailability,
): NonNullable<WorkerAdvert["acpAgents"]> {
  const executorMissing = executorReason(registry, "acp");
  return agents.map((spec) => {
    const reason = executorMissing === null ? availability(spec) : `the acp executor is not available: ${executorMissing}`;
    return reason === null ? { name: spec.name, available: true } : { name: spec.name, available: false, reason };
  });
}

/**
 * Keeps this job process's advert (what it can run) fresh in Redis while it lives, and takes it
 * back on shutdown, so the web offers only executors some job process can take. Each tick also
 * reads the ACP agent registry the web publishes and checks every agent again, so a newly
 * registered agent, or a variable set since, shows within one tick. Each tick also looks after
 * the cached environments (the admins' clears, eviction, their report beside the advert).
 */
export function startAdvertising(opts: {
  redis: Redis;
  config: Pick<Config, "redisPrefix" | "workerConcurrency" | "agentDemo" | "sandbox" | "dataDir" | "envCacheMaxAgeDays" | "envCacheMaxBytes">;
  name: string;
  registry: ExecutorRegistry;
  activeRuns: () => number;
  logger: Logger;
  /** Time between adverts; a third of the advert's lifetime unless a test says otherwise. */
  intervalMs?: number;
}): { stop: () => Promise<void> } {
  const { redis, config, name, registry, logger } = opts;
  const startedAt = new Date().toISOString();
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const publish = async () => {
    try {
      const agents = (await readAcpAgentRegistry(redis, config.redisPrefix)) ?? [];
      await advertiseWorker(redis, config.redisPrefix, {
        name,
        startedAt,
        concurrency: config.workerConcurrency,
        activeRuns: opts.activeRuns(),
        sandbox: config.sandbox,
        executors: executors.map((executor) => {
          const reason = executorReason(registry, executor);
          return {
            name: executor,
            available: reason === null,
            ...(reason === null ? {} : { reason }),
            ...(executor === "agent" && config.agentDemo ? { demo: true } : {}),
          };
        }),
        acpAgents: acpAgentOffers(registry, agents),
      });
      // Stopped while this advert was on its way: it must not outlive the withdrawal.
      if (stopped) await withdrawWorker(redis, config.redisPrefix, name);
    } catch (e) {
      logger.warn("could not advertise this job process", { error: errorMessage(e) });
    }
  };
  // A round over large caches may outlast a tick: a tick meanwhile joins it rather than starting another.
  let caches: Promise<void> | null = null;
  const maintainCaches = () => {
    caches ??= maintainEnvironmentCachesQuietly({ redis, config, worker: name, logger }).finally(() => {
      caches = null;
    });
    return caches;
  };
  const tick = () => {
    inFlight = publish().then(async () => {
      if (!stopped) await maintainCaches();
    });
  };
  tick();
  const timer = setInterval(tick, opts.intervalMs ?? (ADVERT_TTL_SEC * 1000) / 3);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await inFlight;
      await caches;
      await withdrawWorker(redis, config.redisPrefix, name).catch((e: unknown) =>
        logger.warn("could not withdraw this job process's advert", { error: errorMessage(e) }),
      );
      await withdrawEnvironmentCacheReport(redis, config.redisPrefix, name).catch((e: unknown) =>
        logger.warn("could not withdraw this job process's environment cache report", { error: errorMessage(e) }),
      );
    },
  };
}
