import type { Redis } from "ioredis";
import type { z } from "zod";
import type { Config } from "../../lib/config";
import {
  environmentCacheClear,
  environmentCacheClearKey,
  environmentCacheReport,
  environmentCacheReportKey,
  type EnvironmentCacheClear,
  type EnvironmentCacheReport,
} from "../../lib/contracts/environment";
import { ADVERT_TTL_SEC } from "../../lib/workerDirectory";
import { errorMessage } from "../errors";
import type { Logger } from "../logger";
import { emptyCacheTrash, listCacheEntries, removeCacheEntry, type CacheEntry } from "./cache";

/**
 * Keeping this job process's cache of set-up environments (cache.ts) within bounds and in view:
 * eviction by age and total size, least recently used first; a report of the entries in Redis
 * for the admin page (expiring with the job process's advert); and the admins' "clear"
 * requests, which every job process applies to its own entries. Runs at start-up, at every
 * advert tick (advertise.ts), after each save and before each lookup (prepare.ts).
 * Removing an entry renames it away first (cache.ts), so a run restoring from it at that
 * moment fails cleanly and sets up from scratch.
 */

export type CacheLimits = { maxAgeDays: number; maxBytes: number };

export const cacheLimits = (config: Pick<Config, "envCacheMaxAgeDays" | "envCacheMaxBytes">): CacheLimits => ({
  maxAgeDays: config.envCacheMaxAgeDays,
  maxBytes: config.envCacheMaxBytes,
});

const DAY_MS = 24 * 3600_000;

// One eviction at a time per data folder in this process: two at once would both count the
// same entry as freed and remove one more than needed.
const running = new Map<string, Promise<unknown>>();
function serialized<T>(dataDir: string, fn: () => Promise<T>): Promise<T> {
  const previous = running.get(dataDir) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  const settled = next.catch(() => undefined);
  running.set(dataDir, settled);
  void settled.then(() => {
    if (running.get(dataDir) === settled) running.delete(dataDir);
  });
  return next;
}

/**
 * Removes the entries not used for `maxAgeDays`, then the least recently used while all
 * together take more than `maxBytes`. Returns the removed entries (those another process
 * removed first are not counted).
 */
export function evictEnvironmentCaches(dataDir: string, limits: CacheLimits, now = new Date()): Promise<CacheEntry[]> {
  return serialized(dataDir, async () => {
    const entries = (await listCacheEntries(dataDir)).sort((a, b) => a.lastUsedAt.localeCompare(b.lastUsedAt) || a.createdAt.localeCompare(b.createdAt));
    const oldest = now.getTime() - limits.maxAgeDays * DAY_MS;
    let total = entries.reduce((sum, e) => sum + e.bytes, 0);
    const removed: CacheEntry[] = [];
    for (const entry of entries) {
      const tooOld = Date.parse(entry.lastUsedAt) < oldest;
      if (!tooOld && total <= limits.maxBytes) break;
      total -= entry.bytes;
      if (await removeCacheEntry(dataDir, entry)) removed.push(entry);
    }
    return removed;
  });
}

/**
 * The admins' clear requests (newest first, capped by the web), read whole every time: a
 * request removes the entries made up to its time (of its repository, or all), so applying it
 * again changes nothing, and entries made since are kept. A request that is not valid is
 * skipped with a warning. Returns the removed entries.
 */
export async function applyCacheClears(o: { redis: Redis; prefix: string; dataDir: string; logger: Logger }): Promise<CacheEntry[]> {
  const raw = await o.redis.lrange(environmentCacheClearKey(o.prefix), 0, -1);
  const clears: EnvironmentCacheClear[] = [];
  for (const item of raw) {
    const parsed = parseJson(item, environmentCacheClear);
    if (parsed) clears.push(parsed);
    else o.logger.warn("ignoring an environment cache clear request that is not valid", { request: item.slice(0, 200) });
  }
  if (clears.length === 0) return [];
  return serialized(o.dataDir, async () => {
    const removed: CacheEntry[] = [];
    for (const entry of await listCacheEntries(o.dataDir)) {
      const cleared = clears.some((c) => (c.repo === null || c.repo === entry.repo) && Date.parse(entry.createdAt) <= Date.parse(c.at));
      if (cleared && (await removeCacheEntry(o.dataDir, entry))) removed.push(entry);
    }
    return removed;
  });
}

function parseJson<T>(text: string, schema: z.ZodType<T>): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** What this job process has cached, as the admin page shows it; expires unless renewed (like the advert). */
export async function reportEnvironmentCaches(o: { redis: Redis; prefix: string; worker: string; dataDir: string; limits: CacheLimits }): Promise<EnvironmentCacheReport> {
  const entries = await listCacheEntries(o.dataDir);
  const report = environmentCacheReport.parse({
    worker: o.worker,
    reportedAt: new Date().toISOString(),
    maxBytes: o.limits.maxBytes,
    maxAgeDays: o.limits.maxAgeDays,
    entries: entries
      .sort((a, b) => a.repo.localeCompare(b.repo) || b.lastUsedAt.localeCompare(a.lastUsedAt))
      .map(({ repo, key, baseSha, bytes, files, createdAt, lastUsedAt }) => ({ repo, key, baseSha, bytes, files, createdAt, lastUsedAt })),
  });
  await o.redis.set(environmentCacheReportKey(o.prefix, o.worker), JSON.stringify(report), "EX", ADVERT_TTL_SEC);
  return report;
}

export async function withdrawEnvironmentCacheReport(redis: Redis, prefix: string, worker: string): Promise<void> {
  await redis.del(environmentCacheReportKey(prefix, worker));
}

export type CacheMaintenance = {
  redis: Redis;
  config: Pick<Config, "dataDir" | "redisPrefix" | "envCacheMaxAgeDays" | "envCacheMaxBytes">;
  worker: string;
  logger: Logger;
};

/** One round: the admins' clears, eviction, then the report of what is left. */
export async function maintainEnvironmentCaches(m: CacheMaintenance, now = new Date()): Promise<void> {
  const { redis, config, logger } = m;
  const cleared = await applyCacheClears({ redis, prefix: config.redisPrefix, dataDir: config.dataDir, logger });
  const evicted = await evictEnvironmentCaches(config.dataDir, cacheLimits(config), now);
  if (cleared.length + evicted.length > 0) {
    logger.info("removed cached environments", { cleared: cleared.map(entryName), evicted: evicted.map(entryName) });
  }
  await reportEnvironmentCaches({ redis, prefix: config.redisPrefix, worker: m.worker, dataDir: config.dataDir, limits: cacheLimits(config) });
}

/**
 * What a run's environment step (prepare.ts `cacheHooks`) calls around its use of the cache:
 * the admins' clears before it looks for an entry (a cleared entry is never used), and a round
 * after it saved one (eviction within the limits, and the report shows the new entry at once).
 */
export function environmentCacheHooks(m: CacheMaintenance): { beforeLookup(): Promise<void>; afterSave(): Promise<void> } {
  return {
    beforeLookup: async () => {
      await applyCacheClears({ redis: m.redis, prefix: m.config.redisPrefix, dataDir: m.config.dataDir, logger: m.logger });
    },
    afterSave: () => maintainEnvironmentCaches(m),
  };
}

/** At start-up: what an interrupted removal left goes, then a first round. */
export async function startEnvironmentCaches(m: CacheMaintenance): Promise<void> {
  await emptyCacheTrash(m.config.dataDir);
  await maintainEnvironmentCaches(m);
}

/** The same round, never throwing: a failure is logged and the next tick tries again. */
export async function maintainEnvironmentCachesQuietly(m: CacheMaintenance): Promise<void> {
  await maintainEnvironmentCaches(m).catch((e: unknown) => m.logger.warn("could not maintain the environment caches", { error: errorMessage(e) }));
}

const entryName = (e: CacheEntry) => `${e.repo} ${e.key.slice(0, 12)} (${e.bytes} bytes)`;
