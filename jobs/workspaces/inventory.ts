import fs from "node:fs/promises";
import path from "node:path";
import type { Redis } from "ioredis";
import { createEventLog } from "../../lib/eventLog";
import {
  poolWorkspaceId,
  runWorkspaceId,
  type MirrorEntry,
  type PoolWorkspaceEntry,
  type RunWorkspaceEntry,
  type RunWorkspaceState,
} from "../../lib/contracts/workspaces";
import { readdirOrEmpty, readFileOrNull } from "../fsUtil";
import { attemptsDir } from "../git/attempt";
import { mirrorsDir } from "../git/mirror";
import { runDir, runRepoPath, runsDir } from "../git/runRepo";
import { workspacePoolsDir } from "../git/workspacePool";
import type { DiskUse, DiskUseCache } from "./diskUse";
import { runFolderInUse } from "./inUse";

/**
 * What lies in this job process's DATA_DIR, measured: run folders (with the run's state as this
 * process sees it), prepared checkouts of the pool, mirrors. Only names that are ours are
 * listed (a run id that could name a folder, a whole pool entry, a `.git` mirror).
 */

const POOL_ENTRY = /^(\d{13})-([0-9a-f]{40}|[0-9a-f]{64})-[0-9a-f]{8}$/;

export type RunFolder = RunWorkspaceEntry & { dir: string };
export type Inventory = { runs: RunFolder[]; pool: PoolWorkspaceEntry[]; mirrors: MirrorEntry[] };

const iso = (ms: number) => new Date(ms).toISOString();

function measured(use: DiskUse, createdMs: number) {
  return { bytes: use.bytes, files: use.files, partial: use.partial, lastUsedAt: iso(use.lastModifiedMs), createdAt: iso(createdMs) };
}

/** When a folder was made: its birth time where the file system keeps one, else its change time. */
const createdMsOf = (s: { birthtimeMs: number; ctimeMs: number }) => (s.birthtimeMs > 0 ? s.birthtimeMs : s.ctimeMs);

async function isFolder(dir: string): Promise<{ birthtimeMs: number; ctimeMs: number } | null> {
  const s = await fs.lstat(dir).catch(() => null);
  return s && s.isDirectory() ? s : null;
}

/** The run ids suspended in the namespace (waiting for a person; they resume from their folder). */
export async function suspendedRunIds(redis: Redis, prefix: string): Promise<Set<string>> {
  return new Set(await redis.hkeys(createEventLog(redis, prefix).keys.suspendedRuns));
}

export function runState(runId: string, suspended: Set<string>): RunWorkspaceState {
  if (runFolderInUse(runId)) return "active";
  if (suspended.has(runId)) return "suspended";
  return "left-over";
}

async function runBranch(dataDir: string, runId: string): Promise<string | null> {
  const head = await readFileOrNull(path.join(runRepoPath(dataDir, runId), "HEAD"));
  const m = head && /^ref: refs\/heads\/(.+)\s*$/.exec(head);
  return m ? m[1]!.trim() : null;
}

export async function listRunFolders(dataDir: string, disk: DiskUseCache, suspended: Set<string>): Promise<RunFolder[]> {
  const runs: RunFolder[] = [];
  for (const runId of await readdirOrEmpty(runsDir(dataDir))) {
    let dir: string;
    try {
      dir = runDir(dataDir, runId);
    } catch {
      continue; // not a run's folder (a trash folder being removed)
    }
    const stat = await isFolder(dir);
    if (!stat) continue;
    const use = await disk.measure(dir).catch(() => null);
    if (!use) continue; // removed meanwhile
    runs.push({
      id: runWorkspaceId(runId),
      runId,
      dir,
      branch: await runBranch(dataDir, runId),
      attempts: (await readdirOrEmpty(attemptsDir(dataDir, runId))).length,
      state: runState(runId, suspended),
      ...measured(use, createdMsOf(stat)),
    });
  }
  return runs.sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt));
}

async function listPoolEntries(dataDir: string, disk: DiskUseCache): Promise<PoolWorkspaceEntry[]> {
  const entries: PoolWorkspaceEntry[] = [];
  for (const pool of await readdirOrEmpty(workspacePoolsDir(dataDir))) {
    for (const name of await readdirOrEmpty(path.join(workspacePoolsDir(dataDir), pool))) {
      const m = POOL_ENTRY.exec(name);
      if (!m) continue;
      const dir = path.join(workspacePoolsDir(dataDir), pool, name);
      const use = await disk.measure(dir).catch(() => null);
      if (!use) continue; // claimed by a run meanwhile
      entries.push({ id: poolWorkspaceId(pool, name), pool, sha: m[2]!, ...measured(use, Number(m[1])) });
    }
  }
  return entries;
}

async function listMirrors(dataDir: string, disk: DiskUseCache, runs: RunFolder[]): Promise<MirrorEntry[]> {
  // Which mirror each run repository borrows objects from (its alternates file).
  const borrowed: string[] = [];
  for (const run of runs) {
    const alternates = await readFileOrNull(path.join(runRepoPath(dataDir, run.runId), "objects", "info", "alternates"));
    if (alternates) borrowed.push(...alternates.split("\n").filter(Boolean));
  }
  const mirrors: MirrorEntry[] = [];
  for (const name of await readdirOrEmpty(mirrorsDir(dataDir))) {
    if (!name.endsWith(".git")) continue;
    const dir = path.join(mirrorsDir(dataDir), name);
    const stat = await isFolder(dir);
    const use = stat && (await disk.measure(dir).catch(() => null));
    if (!stat || !use) continue;
    const objects = path.join(dir, "objects");
    mirrors.push({ name: name.slice(0, -".git".length), usedByRuns: borrowed.filter((b) => b === objects).length, ...measured(use, createdMsOf(stat)) });
  }
  return mirrors;
}

export async function takeInventory(dataDir: string, disk: DiskUseCache, suspended: Set<string>): Promise<Inventory> {
  const runs = await listRunFolders(dataDir, disk, suspended);
  const pool = await listPoolEntries(dataDir, disk);
  const mirrors = await listMirrors(dataDir, disk, runs);
  return { runs, pool, mirrors };
}
