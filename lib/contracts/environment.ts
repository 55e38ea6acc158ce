import { z } from "zod";
import { envName } from "./executorSpecs";

/**
 * A repository's environment: what runs once in the run's sandbox before the executor, so the
 * agent starts with the project's dependencies installed, and is cached per repository and key.
 * One contract for everyone who touches it: the web stores the admin's settings
 * (`repository_environment`) and puts them in the run job; the job process reads the
 * repository's own file (`.agentdesk/environment.json`), runs and caches the setup
 * (jobs/environment/), and reports its caches through Redis; admins see and clear them.
 */

/** A path inside the workspace, relative, without `..`, never in `.git`. */
export const workspaceRelativePath = z
  .string()
  .min(1)
  .max(400)
  .refine((p) => !p.startsWith("/") && !p.includes("\0"), "must be a relative path")
  .refine((p) => !p.split(/[\\/]/).some((part) => part === ".."), "must not contain `..`")
  .refine((p) => p.split(/[\\/]/)[0] !== ".git" && !p.split(/[\\/]/).includes(".git"), "must not be inside .git");

/** A file the environment places in the workspace from a job-process variable (e.g. `.env`); never committed. */
export const environmentFile = z.object({ path: workspaceRelativePath, env: envName });
export type EnvironmentFile = z.infer<typeof environmentFile>;

const script = z.string().max(20_000).refine((s) => !s.includes("\0"), "must not contain a NUL character");

/**
 * Repository hooks (lib/contracts/runChecks.ts): commands run in the run's sandbox around the
 * executor. `pre`: before it, a failure aborts the run; `post`: after it, on the committed
 * changes, a failure is flagged at review; `onError`: when the run fails, never changing that.
 */
export const checkSpec = z.object({
  name: z.string().trim().min(1).max(80),
  command: script.refine((s) => s.trim() !== "", "must not be empty"),
  timeoutSec: z.number().int().min(1).max(3600).default(600),
});
export type CheckSpec = z.infer<typeof checkSpec>;
const checkList = z.array(checkSpec).max(10, "at most 10 checks");
export const repositoryChecks = z.object({
  pre: checkList.default([]),
  post: checkList.default([]),
  onError: checkList.default([]),
});
export type RepositoryChecks = z.infer<typeof repositoryChecks>;

/** The admin's settings of one repository, as stored and as the run job carries them. */
export const environmentSpec = z.object({
  /** A bash script run in the workspace (e.g. `npm ci`); null: none (the repository's file may give one). */
  setupScript: script.nullable().default(null),
  /** Run instead of the setup on a cache made for another base commit (e.g. `npm install`); null: run the setup again. */
  maintenanceScript: script.nullable().default(null),
  /** Hosts the setup may reach through the sandbox's filtering proxy (package registries); the agent's own are the repository's network hosts. */
  setupHosts: z.array(z.string().min(1)).default([]),
  /** Job-process variables the setup gets (e.g. NPM_TOKEN): the setup only, never the agent. */
  setupEnvNames: z.array(envName).default([]),
  /**
   * Files whose contents key the cache (e.g. `package-lock.json`): a cache is reused across base
   * commits while they are unchanged (after the maintenance script). Empty: keyed by the base commit.
   */
  cacheKeyFiles: z.array(workspaceRelativePath).default([]),
  /** Files placed into the workspace from variables, for the agent (e.g. `.env`); never committed. */
  files: z.array(environmentFile).default([]),
  /** Whether `.agentdesk/environment.json` in the repository may give the scripts and key files the admin left unset. */
  useRepositoryFile: z.boolean().default(true),
  /** Repository hooks; a phase the admin leaves empty may come from the repository's file. */
  checks: repositoryChecks.default({ pre: [], post: [], onError: [] }),
  /** Job-process variables the checks get (never AgentDesk's own secrets or the repository's credential). */
  checkEnvNames: z.array(envName).default([]),
  /** Hosts the checks may reach through the filtering proxy; none by default. */
  checkHosts: z.array(z.string().min(1)).default([]),
});
export type EnvironmentSpec = z.infer<typeof environmentSpec>;

/** Where a repository keeps its own environment, read from the checked-out base commit. */
export const REPOSITORY_ENVIRONMENT_FILE = ".agentdesk/environment.json";

/**
 * The repository's own file: only what is safe to take from untrusted input (what to run, what
 * keys the cache). Hosts, variables and files come from the admin only. The admin's settings win.
 */
export const repositoryEnvironmentFile = z
  .object({
    setupScript: script.optional(),
    maintenanceScript: script.optional(),
    cacheKeyFiles: z.array(workspaceRelativePath).optional(),
    // Commands only: a check's variables and hosts come from the admin.
    checks: z
      .object({ pre: checkList.optional(), post: checkList.optional(), onError: checkList.optional() })
      .strict()
      .optional(),
  })
  .strict();
export type RepositoryEnvironmentFile = z.infer<typeof repositoryEnvironmentFile>;

/** One cached environment on one job process, as it reports them in Redis. */
export const environmentCacheEntry = z.object({
  repo: z.string(),
  key: z.string(),
  baseSha: z.string(),
  bytes: z.number().int().nonnegative(),
  files: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime(),
});
export type EnvironmentCacheEntry = z.infer<typeof environmentCacheEntry>;

export const environmentCacheReport = z.object({
  worker: z.string(),
  reportedAt: z.iso.datetime(),
  maxBytes: z.number().int().nonnegative(),
  maxAgeDays: z.number().positive(),
  entries: z.array(environmentCacheEntry),
});
export type EnvironmentCacheReport = z.infer<typeof environmentCacheReport>;

/** Each job process's report (a JSON environmentCacheReport, expiring with its advert). */
export const environmentCacheReportKey = (prefix: string, worker: string) => `${prefix}env-caches:${worker}`;

/**
 * An admin's "clear": every job process removes the caches made before `at` (of `repo`, or
 * all when null) when it next looks (each advert tick, and before it uses a cache).
 */
export const environmentCacheClear = z.object({ at: z.iso.datetime(), repo: z.string().nullable() });
export type EnvironmentCacheClear = z.infer<typeof environmentCacheClear>;
/** A Redis list of clear requests (JSON environmentCacheClear), newest first, capped. */
export const environmentCacheClearKey = (prefix: string) => `${prefix}env-cache-clears`;
