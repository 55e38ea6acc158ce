import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { REPOSITORY_ENVIRONMENT_FILE } from "../../lib/contracts/environment";
import { formatBytes } from "../../lib/byteSize";
import { countOf } from "../../lib/plural";
import type { EnvironmentCacheOutcome } from "../../lib/events";
import type { RunJobPayload } from "../../lib/queue";
import { PermanentRunError, errorMessage } from "../errors";
import type { RunEmit } from "../executors/types";
import type { ProcessOutcome } from "../executors/processGroup";
import type { Logger } from "../logger";
import type { SandboxSettings } from "../sandbox/spec";
import type { Workspace } from "../workspace";
import {
  CacheRestoreError,
  copyEnvironmentInto,
  findCacheEntry,
  measureTree,
  restoreCacheEntry,
  saveCacheEntry,
  untrackedPaths,
  type CacheEntry,
} from "./cache";
import { environmentCacheKey } from "./cacheKey";
import { effectiveEnvironment, readRepositoryFile, type EffectiveEnvironment } from "./config";
import { excludeInAgentGit } from "./excludedPaths";
import { excludeFromCommits, excludePattern, placeEnvironmentFiles } from "./files";
import { describeOutcome, runEnvironmentScript, setupVariables } from "./setup";
import { checkoutBaseTree, removeUntracked, revertTrackedChanges, type SetupTree } from "./setupTree";

/** The setup (or what it depends on) failed: the run ends `failed` with this message; nothing is cached. */
export class EnvironmentSetupError extends PermanentRunError {
  constructor(
    message: string,
    readonly exitCode?: number | null,
  ) {
    super(message);
    this.name = "EnvironmentSetupError";
  }
}

export type PrepareEnvironmentOptions = {
  payload: Pick<RunJobPayload, "repo" | "environment">;
  workspace: Workspace;
  emit: RunEmit;
  signal: AbortSignal;
  /** The run's secrets: masked in the script's output. */
  secrets: readonly string[];
  config: { dataDir: string };
  logger?: Logger;
  /**
   * The cache's administration (jobs/environment/cacheAdmin.ts): clear requests applied before
   * a lookup, eviction after a save. Failures there are logged, never the run's.
   */
  cacheHooks?: { beforeLookup?(): Promise<void>; afterSave?(): Promise<void> };
  /** The sandbox's settings (tests); this job process's configuration by default. */
  sandboxSettings?: SandboxSettings;
  /** The job process's environment, where the setup's and the files' variables are read. */
  env?: Record<string, string | undefined>;
};

export type PreparedEnvironment = {
  /** What the environment put into the workspace that git does not track (kept out of commits). */
  produced: string[];
  /** The secret files placed (kept out of commits, refused by the commit step). */
  placedFiles: string[];
  /** How the cache served this delivery; null when the repository has no setup script. */
  cache: EnvironmentCacheOutcome | null;
};

/**
 * The repository's environment in the run's workspace, on every delivery (the environment's
 * outputs are never in the run's commits, so each delivery brings them back): nothing when
 * there is no setup script; else the cached environment of this key restored, or an older one
 * of the same configuration restored and its maintenance script run, or the setup script run,
 * and what it produced cached. Then the environment's secret files are placed, and everything
 * it put there is kept out of the run's commits. The step is in the feed with its output and
 * time. A failed setup throws EnvironmentSetupError (the run fails with its exit code);
 * nothing half-made is cached.
 */
export async function prepareEnvironment(o: PrepareEnvironmentOptions): Promise<PreparedEnvironment> {
  const { workspace, emit, signal } = o;
  const admin = o.payload.environment;
  let repositoryFile = null;
  if (admin?.useRepositoryFile !== false) {
    const read = await readRepositoryFile(workspace.gitDir, workspace.baseSha, signal);
    if ("refused" in read) {
      await emit({ type: "log", level: "warn", message: `Not using the repository's ${REPOSITORY_ENVIRONMENT_FILE}: ${read.refused}` });
    } else if ("file" in read) {
      repositoryFile = read.file;
    }
  }
  const environment = effectiveEnvironment(admin, repositoryFile);

  let produced: string[] = [];
  let cache: EnvironmentCacheOutcome | null = null;
  if (environment.setupScript !== null) {
    ({ produced, cache } = await environmentStep(o, environment, environment.setupScript));
  }
  await excludeFromCommits(workspace.gitDir, produced);
  const placedFiles = await placeEnvironmentFiles({
    workspace: workspace.path,
    files: environment.files,
    gitDir: workspace.gitDir,
    baseSha: workspace.baseSha,
    env: o.env,
  });
  await excludeInAgentGit(workspace.path, [...produced, ...placedFiles].map(excludePattern));
  return { produced, placedFiles, cache };
}

type StepContext = PrepareEnvironmentOptions & {
  environment: EffectiveEnvironment;
  stepId: string;
  /** Says something under the step, in its terminal. */
  note(message: string, level?: "info" | "warn"): Promise<void>;
};

/** The feed's step "Setting up the environment": started, the work, finished (ok or not). */
async function environmentStep(
  o: PrepareEnvironmentOptions,
  environment: EffectiveEnvironment,
  setupScript: string,
): Promise<{ produced: string[]; cache: EnvironmentCacheOutcome }> {
  const { workspace, emit, signal } = o;
  const stepId = `env_${crypto.randomUUID()}`;
  const started = Date.now();
  const ctx: StepContext = {
    ...o,
    environment,
    stepId,
    note: (message, level = "info") => emit({ type: "log", level, callId: stepId, message }),
  };

  const { key } = await environmentCacheKey({
    gitDir: workspace.gitDir,
    baseSha: workspace.baseSha,
    configHash: environment.configHash,
    cacheKeyFiles: environment.cacheKeyFiles,
    signal,
  });
  await runHook(ctx, "beforeLookup");
  const found = await findCacheEntry({
    dataDir: o.config.dataDir,
    repo: o.payload.repo,
    key,
    newestOf: environment.maintenanceScript !== null ? environment.configHash : undefined,
  });
  const offered: EnvironmentCacheOutcome = found === null ? "miss" : found.match === "exact" ? "hit" : "maintenance";
  await emit({ type: "environment.started", stepId, source: environment.source, cache: offered });

  let outcome: EnvironmentCacheOutcome = offered;
  try {
    const made = await makeEnvironment(ctx, { key, found, setupScript, onOutcome: (c) => (outcome = c) });
    const size = made.size ?? (await measurePaths(workspace.path, made.produced));
    await emit({ type: "environment.finished", stepId, ok: true, cache: made.cache, durationMs: Date.now() - started, ...size });
    return { produced: made.produced, cache: made.cache };
  } catch (e) {
    // A stopped run (cancel, timeout, shutdown) says so itself; the step just ends there.
    if (signal.aborted) throw e;
    const exitCode = e instanceof EnvironmentSetupError ? e.exitCode : undefined;
    await emit({
      type: "environment.finished",
      stepId,
      ok: false,
      cache: outcome,
      durationMs: Date.now() - started,
      ...(exitCode !== undefined ? { exitCode } : {}),
      error: errorMessage(e),
    });
    throw e;
  }
}

async function makeEnvironment(
  ctx: StepContext,
  o: {
    key: string;
    found: { match: "exact" | "older"; entry: CacheEntry } | null;
    setupScript: string;
    onOutcome(cache: EnvironmentCacheOutcome): void;
  },
): Promise<{ produced: string[]; cache: EnvironmentCacheOutcome; size: Size | null }> {
  const { workspace, signal } = ctx;
  const staging = path.join(workspace.dir, "environment-staging");
  // Checked before anything runs: a missing variable fails the run naming it.
  const variables = setupVariables(ctx.environment.setupEnvNames, {
    withheld: ctx.payload.repo.credentialEnv ? [ctx.payload.repo.credentialEnv] : [],
    env: ctx.env,
  });

  if (o.found?.match === "exact") {
    const entry = o.found.entry;
    try {
      const { skipped } = await restoreCacheEntry(entry, { workspace: workspace.path, staging, signal });
      await ctx.note(`Restored from the cache: ${formatBytes(entry.bytes)} in ${countOf(entry.files, "file")}, made for ${entry.baseSha.slice(0, 12)}`);
      await noteSkipped(ctx, skipped);
      return { produced: entry.paths, cache: "hit", size: { bytes: entry.bytes, files: entry.files } };
    } catch (e) {
      if (!(e instanceof CacheRestoreError)) throw e;
      await ctx.note(`${e.message}; setting up from scratch`, "warn");
      o.onOutcome("miss");
    }
  }

  // From here the environment is made (not copied): in the fresh workspace, or in a checkout of
  // the base beside a workspace that holds the run's own commits (setupTree.ts).
  const fresh = workspace.headSha === workspace.baseSha;
  const baseTree = fresh ? null : await checkoutBaseTree(workspace, workspace.baseSha, signal);
  const tree: SetupTree = baseTree ?? workspace;
  try {
    let cache: EnvironmentCacheOutcome = "miss";
    const maintained = o.found?.match === "older" ? await maintain(ctx, tree, o.found.entry, staging, variables) : false;
    if (maintained) {
      cache = "maintenance";
    } else {
      if (o.found?.match === "older") o.onOutcome("miss");
      await ctx.note("Running the setup script");
      const outcome = await runScript(ctx, tree, o.setupScript, variables);
      if (outcome.exitCode !== 0) {
        await ctx.note(`The setup script failed (${describeOutcome(outcome)}); nothing was cached`, "warn");
        throw new EnvironmentSetupError(`environment setup failed (${describeOutcome(outcome)})`, outcome.exitCode);
      }
    }
    const produced = await settle(ctx, tree);
    const saved = await save(ctx, o.key, tree, produced);
    if (baseTree) {
      const { skipped } = await copyEnvironmentInto(baseTree.workspace, produced, { workspace: workspace.path, staging, signal });
      await noteSkipped(ctx, skipped);
    }
    return { produced, cache, size: saved ? { bytes: saved.bytes, files: saved.files } : null };
  } finally {
    if (baseTree) await fs.rm(baseTree.dir, { recursive: true, force: true });
  }
}

/**
 * An older cache of the same configuration, brought up to date by the maintenance script.
 * False (and the tree cleared again) when that does not work out: the setup runs instead.
 */
async function maintain(ctx: StepContext, tree: SetupTree, entry: CacheEntry, staging: string, variables: Record<string, string>): Promise<boolean> {
  try {
    await restoreCacheEntry(entry, { workspace: tree.workspace, staging, signal: ctx.signal });
  } catch (e) {
    if (!(e instanceof CacheRestoreError)) throw e;
    await ctx.note(`${e.message}; setting up from scratch`, "warn");
    return false;
  }
  await ctx.note(`Restored the cache made for ${entry.baseSha.slice(0, 12)} (${formatBytes(entry.bytes)}); running the maintenance script`);
  const outcome = await runScript(ctx, tree, ctx.environment.maintenanceScript!, variables);
  if (outcome.exitCode === 0) return true;
  await ctx.note(`The maintenance script failed (${describeOutcome(outcome)}); setting up from scratch`, "warn");
  await removeUntracked(tree, ctx.signal);
  await revertTrackedChanges(tree, ctx.signal);
  return false;
}

async function runScript(ctx: StepContext, tree: SetupTree, script: string, variables: Record<string, string>): Promise<ProcessOutcome> {
  const outcome = await runEnvironmentScript({
    script,
    tree: tree.workspace,
    readOnlyPaths: ctx.workspace.readOnlyPaths,
    hosts: ctx.environment.setupHosts,
    variables,
    stepId: ctx.stepId,
    emit: ctx.emit,
    secrets: ctx.secrets,
    signal: ctx.signal,
    settings: ctx.sandboxSettings,
  });
  if (ctx.signal.aborted) throw new Error("the run was stopped during the environment's setup");
  return outcome;
}

/** After a script: tracked files as checked out again, and what it produced. */
async function settle(ctx: StepContext, tree: SetupTree): Promise<string[]> {
  const reverted = await revertTrackedChanges(tree, ctx.signal);
  if (reverted.length > 0) {
    await ctx.note(
      `The script changed files the repository tracks; they were put back, since an environment's output is never part of the run's changes: ${listed(reverted)}`,
      "warn",
    );
  }
  return untrackedPaths(tree, ctx.signal);
}

// A cache that cannot be written (disk full, a concurrent clear) costs the next run time, not this run.
async function save(ctx: StepContext, key: string, tree: SetupTree, produced: string[]): Promise<CacheEntry | null> {
  let entry: CacheEntry;
  try {
    entry = await saveCacheEntry({
      dataDir: ctx.config.dataDir,
      repo: ctx.payload.repo,
      key,
      configHash: ctx.environment.configHash,
      baseSha: ctx.workspace.baseSha,
      source: tree.workspace,
      paths: produced,
      signal: ctx.signal,
    });
    await ctx.note(`Cached for the next runs: ${formatBytes(entry.bytes)} in ${countOf(entry.files, "file")}`);
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    await ctx.note(`The environment could not be cached: ${errorMessage(e)}`, "warn");
    return null;
  }
  await runHook(ctx, "afterSave");
  return entry;
}

async function runHook(ctx: StepContext, hook: "beforeLookup" | "afterSave"): Promise<void> {
  try {
    await ctx.cacheHooks?.[hook]?.();
  } catch (e) {
    ctx.logger?.warn(`environment cache ${hook} failed`, { error: errorMessage(e) });
  }
}

async function noteSkipped(ctx: StepContext, skipped: string[]): Promise<void> {
  if (skipped.length === 0) return;
  await ctx.note(`Left as the workspace has them (not replaced by the environment's): ${listed(skipped)}`, "warn");
}

function listed(paths: string[], max = 10): string {
  const shown = paths.slice(0, max).join(", ");
  return paths.length > max ? `${shown} and ${paths.length - max} more` : shown;
}

type Size = { bytes: number; files: number };

/** Size and file count of the environment's paths in the workspace (when the cache could not say). */
async function measurePaths(root: string, paths: string[]): Promise<Size> {
  let bytes = 0;
  let files = 0;
  for (const relative of paths) {
    const full = path.join(root, relative);
    const stat = await fs.lstat(full).catch(() => null);
    if (!stat) continue;
    if (stat.isDirectory()) {
      const inner = await measureTree(full);
      bytes += inner.bytes;
      files += inner.files;
    } else {
      bytes += stat.size;
      files += 1;
    }
  }
  return { bytes, files };
}
