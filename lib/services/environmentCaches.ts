import { z } from "zod";
import {
  environmentCacheClear,
  environmentCacheClearKey,
  environmentCacheReport,
  environmentCacheReportKey,
  type EnvironmentCacheClear,
  type EnvironmentCacheEntry,
} from "../contracts/environment";
import { AppError } from "../errors";
import { valuesMatching } from "../redis";
import type { App } from "../server/app";
import { isAdmin, type Principal } from "./principal";
import { anyRepoNamed } from "./repos";

/**
 * The environment caches of every job process, for the admin page (issue 11): each job process
 * keeps its own under its DATA_DIR and reports them in Redis (environmentCacheReportKey); the
 * web only reads those reports and queues "clear" requests the job processes apply themselves
 * (environmentCacheClearKey). The web never touches a cache.
 */

/** How many clear requests the list keeps: job processes apply each by its time, so old ones only repeat. */
export const CLEAR_REQUESTS_KEPT = 100;
/** How many of the latest clear requests the admin page shows. */
const CLEARS_SHOWN = 5;

export type EnvironmentCacheView = EnvironmentCacheEntry & {
  /** A clear request covers it: its job process removes it at its next look. */
  clearing: boolean;
};

export type WorkerCachesView = {
  worker: string;
  reportedAt: string;
  maxBytes: number;
  maxAgeDays: number;
  totalBytes: number;
  totalFiles: number;
  entries: EnvironmentCacheView[];
};

export type EnvironmentCachesView = { workers: WorkerCachesView[]; recentClears: EnvironmentCacheClear[] };

export const clearEnvironmentCachesInput = z
  .object({
    /** A repository's name: clear its caches only. Left out: every repository's. */
    repo: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type ClearEnvironmentCachesInput = z.infer<typeof clearEnvironmentCachesInput>;

function assertAdmin(principal: Principal): void {
  if (!isAdmin(principal)) throw new AppError("forbidden", "Only an admin can see or clear the environment caches");
}

/** A Redis value parsed as the contract says, or null (with a warning naming what was wrong). */
function parsedOrWarn<S extends z.ZodType>(schema: S, raw: string, what: string): z.infer<S> | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    console.warn(`[environment caches] skipped ${what}: not JSON`);
    return null;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const why = parsed.error.issues.map((i) => `${i.path.join(".") || "(value)"}: ${i.message}`).join("; ");
  console.warn(`[environment caches] skipped ${what}: ${why}`);
  return null;
}

const covers = (clear: EnvironmentCacheClear, entry: EnvironmentCacheEntry) =>
  (clear.repo === null || clear.repo === entry.repo) && Date.parse(entry.createdAt) < Date.parse(clear.at);

/** The clear requests queued, newest first (invalid ones skipped with a warning). */
async function clearRequests(app: Pick<App, "redis" | "config">, count: number): Promise<EnvironmentCacheClear[]> {
  const raw = await app.redis.lrange(environmentCacheClearKey(app.config.redisPrefix), 0, count - 1);
  return raw.flatMap((value) => parsedOrWarn(environmentCacheClear, value, "a clear request") ?? []);
}

/** Every live job process's caches, by job process, newest use first. */
export async function listEnvironmentCaches(app: Pick<App, "redis" | "config">, principal: Principal): Promise<EnvironmentCachesView> {
  assertAdmin(principal);
  const pattern = environmentCacheReportKey(app.config.redisPrefix, "*");
  const reports = (await valuesMatching(app.redis, pattern)).flatMap(
    (raw) => parsedOrWarn(environmentCacheReport, raw, "a job process's cache report") ?? [],
  );
  const clears = await clearRequests(app, CLEAR_REQUESTS_KEPT);
  const workers = reports
    .map((report): WorkerCachesView => {
      const entries = [...report.entries]
        .sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt))
        .map((entry) => ({ ...entry, clearing: clears.some((clear) => covers(clear, entry)) }));
      return {
        worker: report.worker,
        reportedAt: report.reportedAt,
        maxBytes: report.maxBytes,
        maxAgeDays: report.maxAgeDays,
        totalBytes: entries.reduce((sum, e) => sum + e.bytes, 0),
        totalFiles: entries.reduce((sum, e) => sum + e.files, 0),
        entries,
      };
    })
    .sort((a, b) => a.worker.localeCompare(b.worker));
  return { workers, recentClears: clears.slice(0, CLEARS_SHOWN) };
}

/**
 * Asks every job process to remove the caches made until now, of one repository or all. They
 * apply it at their next look (each advert tick, and before using a cache), so a run that
 * starts after this never uses a cache made before it.
 */
export async function clearEnvironmentCaches(
  app: Pick<App, "db" | "redis" | "config">,
  principal: Principal,
  input: ClearEnvironmentCachesInput,
): Promise<EnvironmentCacheClear> {
  assertAdmin(principal);
  // Caches are the job processes', named by repository: one name clears it in every team.
  if (input.repo !== undefined && !(await anyRepoNamed(app, input.repo))) {
    throw new AppError("not_found", `no repository named "${input.repo}" is registered`, [{ path: "repo", message: "is not a registered repository" }]);
  }
  const clear = environmentCacheClear.parse({ at: new Date().toISOString(), repo: input.repo ?? null });
  const key = environmentCacheClearKey(app.config.redisPrefix);
  const results = await app.redis.multi().lpush(key, JSON.stringify(clear)).ltrim(key, 0, CLEAR_REQUESTS_KEPT - 1).exec();
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0];
  return clear;
}
