import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAdvertising } from "../../jobs/advertise";
import { cacheMeta, CacheRestoreError, listCacheEntries, restoreCacheEntry, saveCacheEntry, type CacheEntry } from "../../jobs/environment/cache";
import {
  applyCacheClears,
  environmentCacheHooks,
  evictEnvironmentCaches,
  maintainEnvironmentCaches,
  reportEnvironmentCaches,
} from "../../jobs/environment/cacheAdmin";
import { createCliExecutor } from "../../jobs/executors/cli";
import { createLogger, silentLogger } from "../../jobs/logger";
import { ConfigError, loadConfig } from "../../lib/config";
import { environmentCacheClearKey, environmentCacheReport, environmentCacheReportKey } from "../../lib/contracts/environment";
import { createRedis } from "../../lib/redis";
import { eventually } from "../jobs/helpers";

/**
 * The job process's cached environments kept in bounds and in view: eviction by age and by
 * total size (least recently used first), the report the admin page reads from Redis, and the
 * admins' clears, against real entries on disk (cache.ts) and the real Redis.
 */
const config = loadConfig();
const DAY = 24 * 3600_000;
let redis: Redis;
const folders: string[] = [];

beforeAll(() => {
  redis = createRedis(config.redisUrl, "worker");
});
afterEach(async () => {
  await redis.del(environmentCacheClearKey(config.redisPrefix));
});
afterAll(async () => {
  await redis?.quit();
  for (const dir of folders) await fs.rm(dir, { recursive: true, force: true });
});

async function tempDir(name: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `agentdesk-${name}-`));
  folders.push(dir);
  return dir;
}

const sha = () => crypto.randomBytes(32).toString("hex");

/** A real entry, saved by cache.ts from a tree holding `bytes` bytes of node_modules (and `files` files). */
async function cached(dataDir: string, repo: string, bytes: number, files = 1): Promise<CacheEntry> {
  const source = await tempDir("setup");
  await fs.mkdir(path.join(source, "node_modules"));
  for (let i = 0; i < files; i++) {
    const size = Math.floor(bytes / files) + (i === 0 ? bytes % files : 0);
    await fs.writeFile(path.join(source, "node_modules", `f${i}.js`), "x".repeat(size));
  }
  return saveCacheEntry({ dataDir, repo: { name: repo, url: `/srv/${repo}.git` }, key: sha(), configHash: sha(), baseSha: "b".repeat(40), source, paths: ["node_modules"] });
}

/** Rewrites an entry's times, as if it had been made and used then. */
async function dated(entry: CacheEntry, times: { createdAt?: Date; lastUsedAt?: Date }): Promise<CacheEntry> {
  const meta = cacheMeta.parse({
    ...entry,
    ...(times.createdAt ? { createdAt: times.createdAt.toISOString() } : {}),
    ...(times.lastUsedAt ? { lastUsedAt: times.lastUsedAt.toISOString() } : {}),
  });
  await fs.writeFile(path.join(entry.dir, "meta.json"), JSON.stringify(meta));
  return { ...meta, dir: entry.dir };
}

const push = (clear: unknown) => redis.lpush(environmentCacheClearKey(config.redisPrefix), typeof clear === "string" ? clear : JSON.stringify(clear));
const keysOf = async (dataDir: string) => (await listCacheEntries(dataDir)).map((e) => e.key).sort();
const ago = (ms: number) => new Date(Date.now() - ms);

describe("configuration of the cache limits", () => {
  it("defaults to 14 days and 10 GiB, takes sizes with units, and refuses bad values naming the variable", () => {
    expect(loadConfig({})).toMatchObject({ envCacheMaxAgeDays: 14, envCacheMaxBytes: 10 * 2 ** 30 });
    expect(loadConfig({ ENV_CACHE_MAX_BYTES: "500MiB", ENV_CACHE_MAX_AGE_DAYS: "0.5" })).toMatchObject({ envCacheMaxBytes: 500 * 2 ** 20, envCacheMaxAgeDays: 0.5 });
    expect(loadConfig({ ENV_CACHE_MAX_BYTES: "2G" }).envCacheMaxBytes).toBe(2 * 2 ** 30);
    expect(loadConfig({ ENV_CACHE_MAX_BYTES: "12345" }).envCacheMaxBytes).toBe(12345);
    expect(loadConfig({ ENV_CACHE_MAX_BYTES: "0" }).envCacheMaxBytes).toBe(0);
    for (const [name, value] of [
      ["ENV_CACHE_MAX_BYTES", "lots"],
      ["ENV_CACHE_MAX_BYTES", "-5"],
      ["ENV_CACHE_MAX_BYTES", "10 parsecs"],
      ["ENV_CACHE_MAX_AGE_DAYS", "0"],
      ["ENV_CACHE_MAX_AGE_DAYS", "soon"],
    ] as const) {
      let error: unknown;
      try {
        loadConfig({ [name]: value });
      } catch (e) {
        error = e;
      }
      expect(error, `${name}=${value}`).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable)).toEqual([name]);
    }
  });
});

describe("eviction", () => {
  it("removes the entries not used for longer than the age limit, whatever their size", async () => {
    const dataDir = await tempDir("data");
    const stale = await dated(await cached(dataDir, "web", 10), { createdAt: ago(30 * DAY), lastUsedAt: ago(15 * DAY) });
    // Made long ago but used yesterday: age counts from the last use.
    const used = await dated(await cached(dataDir, "web", 10), { createdAt: ago(30 * DAY), lastUsedAt: ago(DAY) });
    const fresh = await cached(dataDir, "api", 10);
    const removed = await evictEnvironmentCaches(dataDir, { maxAgeDays: 14, maxBytes: 1_000_000 });
    expect(removed.map((e) => e.key)).toEqual([stale.key]);
    expect(await keysOf(dataDir)).toEqual([used.key, fresh.key].sort());
    await expect(fs.access(stale.dir)).rejects.toThrow();
    // Nothing left in the trash either.
    expect(await fs.readdir(path.join(dataDir, "environments", ".trash"))).toEqual([]);
  });

  it("removes the least recently used entries while all together exceed the size limit", async () => {
    const dataDir = await tempDir("data");
    const a = await dated(await cached(dataDir, "web", 100), { lastUsedAt: ago(3 * 3600_000) });
    const b = await dated(await cached(dataDir, "web", 200), { lastUsedAt: ago(5 * 3600_000) });
    const c = await dated(await cached(dataDir, "api", 300, 3), { lastUsedAt: ago(60_000) });
    // The oldest by creation, but used a minute ago: it stays.
    const d = await dated(await cached(dataDir, "api", 50), { createdAt: ago(10 * DAY), lastUsedAt: ago(30_000) });
    expect((await listCacheEntries(dataDir)).reduce((s, e) => s + e.bytes, 0)).toBe(650);

    const removed = await evictEnvironmentCaches(dataDir, { maxAgeDays: 14, maxBytes: 400 });
    // b (used 5 h ago) then a (3 h ago): 650 → 450 → 350, within 400.
    expect(removed.map((e) => e.key)).toEqual([b.key, a.key]);
    expect(await keysOf(dataDir)).toEqual([c.key, d.key].sort());
    // Within the limits: nothing more goes.
    expect(await evictEnvironmentCaches(dataDir, { maxAgeDays: 14, maxBytes: 400 })).toEqual([]);
    // A limit of 0 keeps nothing.
    await evictEnvironmentCaches(dataDir, { maxAgeDays: 14, maxBytes: 0 });
    expect(await keysOf(dataDir)).toEqual([]);
  });

  it("counts an entry another process removed meanwhile as gone, and two evictions at once remove no more than needed", async () => {
    const dataDir = await tempDir("data");
    const entries: CacheEntry[] = [];
    for (let i = 0; i < 4; i++) entries.push(await dated(await cached(dataDir, "web", 100), { lastUsedAt: ago((10 - i) * 60_000) }));
    const limits = { maxAgeDays: 14, maxBytes: 250 };
    const [first, second] = await Promise.all([evictEnvironmentCaches(dataDir, limits), evictEnvironmentCaches(dataDir, limits)]);
    expect([...first, ...second].map((e) => e.key)).toEqual([entries[0]!.key, entries[1]!.key]);
    expect(await keysOf(dataDir)).toEqual([entries[2]!.key, entries[3]!.key].sort());
  });
});

describe("the report in Redis", () => {
  it("lists every entry with what the admin page shows, the limits, and expires like the advert", async () => {
    const dataDir = await tempDir("data");
    const web = await cached(dataDir, "web", 1234, 3);
    const api = await dated(await cached(dataDir, "api", 10), { lastUsedAt: ago(DAY) });
    const worker = `report-${sha().slice(0, 8)}`;
    await reportEnvironmentCaches({ redis, prefix: config.redisPrefix, worker, dataDir, limits: { maxAgeDays: 7, maxBytes: 5000 } });

    const key = environmentCacheReportKey(config.redisPrefix, worker);
    const raw = await redis.get(key);
    const report = environmentCacheReport.parse(JSON.parse(raw!));
    expect(report).toMatchObject({ worker, maxAgeDays: 7, maxBytes: 5000 });
    expect(report.entries).toEqual([
      { repo: "api", key: api.key, baseSha: "b".repeat(40), bytes: 10, files: 1, createdAt: api.createdAt, lastUsedAt: api.lastUsedAt },
      { repo: "web", key: web.key, baseSha: "b".repeat(40), bytes: 1234, files: 3, createdAt: web.createdAt, lastUsedAt: web.lastUsedAt },
    ]);
    // Nothing about the job process's disk layout or the configuration leaves it.
    expect(raw).not.toContain(dataDir);
    expect(raw).not.toContain(web.configHash);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
  });
});

describe("the admins' clears", () => {

  it("clear of one repository removes its entries made before the request, and only those", async () => {
    const dataDir = await tempDir("data");
    const web1 = await cached(dataDir, "web", 10);
    const web2 = await cached(dataDir, "web", 10);
    const api = await cached(dataDir, "api", 10);
    await push({ at: new Date(Date.now() + 1000).toISOString(), repo: "web" });
    const removed = await applyCacheClears({ redis, prefix: config.redisPrefix, dataDir, logger: silentLogger });
    expect(removed.map((e) => e.key).sort()).toEqual([web1.key, web2.key].sort());
    expect(await keysOf(dataDir)).toEqual([api.key]);
  });

  it("clear all removes every entry made before it; entries made since stay, however often it is applied", async () => {
    const dataDir = await tempDir("data");
    await cached(dataDir, "web", 10);
    await cached(dataDir, "api", 10);
    await push({ at: new Date(Date.now() + 1000).toISOString(), repo: null });
    const later = await dated(await cached(dataDir, "web", 10), { createdAt: new Date(Date.now() + 5000) });
    expect(await applyCacheClears({ redis, prefix: config.redisPrefix, dataDir, logger: silentLogger })).toHaveLength(2);
    expect(await keysOf(dataDir)).toEqual([later.key]);
    expect(await applyCacheClears({ redis, prefix: config.redisPrefix, dataDir, logger: silentLogger })).toEqual([]);
    expect(await keysOf(dataDir)).toEqual([later.key]);
  });

  it("skips a request that is not valid, with a warning, and applies the others", async () => {
    const dataDir = await tempDir("data");
    await cached(dataDir, "web", 10);
    await push("not json");
    await push({ at: "yesterday", repo: null });
    await push({ at: new Date(Date.now() + 1000).toISOString(), repo: "web" });
    const lines: string[] = [];
    const logger = createLogger([], {}, (line) => lines.push(line));
    expect(await applyCacheClears({ redis, prefix: config.redisPrefix, dataDir, logger })).toHaveLength(1);
    expect(lines.filter((l) => l.includes("not valid"))).toHaveLength(2);
  });

  it("a clear while a run restores from the entry: the restore completes or fails cleanly, and the workspace is never half-filled", async () => {
    const dataDir = await tempDir("data");
    const entry = await cached(dataDir, "web", 4_000_000, 2000);
    const workspace = await tempDir("workspace");
    const staging = path.join(await tempDir("attempt"), "staging");
    await push({ at: new Date(Date.now() + 1000).toISOString(), repo: null });

    const restore = restoreCacheEntry(entry, { workspace, staging }).then(
      (r) => ({ ok: true as const, skipped: r.skipped }),
      (e: unknown) => ({ ok: false as const, error: e }),
    );
    // The copy has begun when its staging folder is there.
    await eventually(async () => ((await fs.stat(staging).catch(() => null)) ? true : undefined), 5_000);
    const removed = await applyCacheClears({ redis, prefix: config.redisPrefix, dataDir, logger: silentLogger });
    const outcome = await restore;

    expect(removed.map((e) => e.key)).toEqual([entry.key]);
    expect(await listCacheEntries(dataDir)).toEqual([]);
    const restored = await fs.readdir(path.join(workspace, "node_modules")).catch(() => []);
    if (outcome.ok) expect(restored).toHaveLength(2000);
    else {
      expect(outcome.error).toBeInstanceOf(CacheRestoreError);
      expect(restored).toEqual([]);
    }
    // The removed entry was not brought back by the restore marking it used.
    await expect(fs.access(entry.dir)).rejects.toThrow();
  });
});

describe("each advert tick", () => {
  it("applies clears, evicts and reports, and the report goes with the advert on stop", async () => {
    const dataDir = await tempDir("data");
    const tickConfig = { ...config, dataDir, envCacheMaxAgeDays: 14, envCacheMaxBytes: 150 };
    const old = await dated(await cached(dataDir, "web", 100), { lastUsedAt: ago(DAY) });
    const kept = await cached(dataDir, "web", 100);
    const cleared = await cached(dataDir, "api", 10);
    const name = `tick-${sha().slice(0, 8)}`;
    const key = environmentCacheReportKey(config.redisPrefix, name);
    const advert = startAdvertising({
      redis,
      config: tickConfig,
      name,
      registry: new Map([["cli", createCliExecutor()]]),
      activeRuns: () => 0,
      logger: silentLogger,
      intervalMs: 100,
    });
    try {
      // Over the size limit: the least recently used goes at the first tick.
      const first = await eventually(async () => {
        const raw = await redis.get(key);
        return raw ? environmentCacheReport.parse(JSON.parse(raw)) : undefined;
      });
      expect(first.entries.map((e) => e.key).sort()).toEqual([kept.key, cleared.key].sort());
      expect(await keysOf(dataDir)).not.toContain(old.key);

      await push({ at: new Date(Date.now() + 1000).toISOString(), repo: "api" });
      await eventually(async () => {
        const report = environmentCacheReport.parse(JSON.parse((await redis.get(key))!));
        return report.entries.length === 1 ? true : undefined;
      });
      expect(await keysOf(dataDir)).toEqual([kept.key]);
    } finally {
      await advert.stop();
    }
    expect(await redis.get(key)).toBeNull();
  });

  it("a round with nothing cached reports an empty list", async () => {
    const dataDir = await tempDir("data");
    const worker = `empty-${sha().slice(0, 8)}`;
    await maintainEnvironmentCaches({ redis, config: { ...config, dataDir }, worker, logger: silentLogger });
    const report = environmentCacheReport.parse(JSON.parse((await redis.get(environmentCacheReportKey(config.redisPrefix, worker)))!));
    expect(report.entries).toEqual([]);
    expect(report.maxBytes).toBe(config.envCacheMaxBytes);
  });
});

describe("around a run's use of the cache", () => {
  it("applies pending clears before a lookup, and evicts and reports after a save", async () => {
    const dataDir = await tempDir("data");
    const worker = `hooks-${sha().slice(0, 8)}`;
    const hooks = environmentCacheHooks({ redis, config: { ...config, dataDir, envCacheMaxBytes: 150 }, worker, logger: silentLogger });
    const cleared = await cached(dataDir, "web", 10);
    await push({ at: new Date(Date.now() + 1000).toISOString(), repo: "web" });
    await hooks.beforeLookup();
    expect(await keysOf(dataDir)).not.toContain(cleared.key);

    const older = await dated(await cached(dataDir, "api", 100), { lastUsedAt: ago(60_000) });
    const saved = await dated(await cached(dataDir, "api", 100), { createdAt: new Date(Date.now() + 5000), lastUsedAt: new Date(Date.now() + 5000) });
    await hooks.afterSave();
    expect(await keysOf(dataDir)).toEqual([saved.key]);
    const report = environmentCacheReport.parse(JSON.parse((await redis.get(environmentCacheReportKey(config.redisPrefix, worker)))!));
    expect(report.entries.map((e) => e.key)).toEqual([saved.key]);
    expect(older.key).not.toBe(saved.key);
  });
});
