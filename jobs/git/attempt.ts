import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { errorMessage } from "../errors";
import { readdirOrEmpty } from "../fsUtil";
import type { Logger } from "../logger";
import { runGit, type GitOptions } from "./exec";
import { removeIfEmpty, runDir, runsDir } from "./runRepo";

/**
 * One folder per delivery of a run job: `<dataDir>/runs/<runId>/attempts/<uuid>/`, holding
 * `owner.json` (who made it), `index` (the platform's index for this attempt: outside the
 * workspace, so a run cannot plant one) and `workspace/` (the run's files, the only folder
 * a run may write). A second delivery never deletes or reuses a first one's folder, even a
 * paused one; start-up cleanup removes the folders of job processes that are gone.
 */
export type AttemptTree = {
  /** The attempt's folder. */
  dir: string;
  /** The run's files: the work tree of the run's repository. */
  workspace: string;
  /** The run's repository (runRepo.ts), the only git dir the platform uses for the run. */
  gitDir: string;
  /** This attempt's index file. */
  indexFile: string;
};

/** Options for a platform git command on the attempt's files, never reading the workspace's `.git`. */
export function treeGitOptions(tree: Pick<AttemptTree, "gitDir" | "workspace" | "indexFile">, env: Record<string, string> = {}): GitOptions {
  return { gitDir: tree.gitDir, workTree: tree.workspace, env: { ...env, GIT_INDEX_FILE: tree.indexFile } };
}

/**
 * Who made an attempt's folder. `instance` tells a previous process apart from this one when
 * the pid is reused (a container's worker is often pid 1 every time).
 */
const ownerRecord = z.object({
  hostname: z.string(),
  pid: z.number().int(),
  instance: z.string(),
  createdAt: z.string(),
});
type OwnerRecord = z.infer<typeof ownerRecord>;

const processInstance = crypto.randomUUID();
const OWNER_FILE = "owner.json";

export function attemptsDir(dataDir: string, runId: string): string {
  return path.join(runDir(dataDir, runId), "attempts");
}

/** Makes a fresh attempt folder (owner file first, so every folder on disk has one). */
export async function createAttempt(dataDir: string, runId: string, gitDir: string): Promise<AttemptTree> {
  const dir = path.join(attemptsDir(dataDir, runId), crypto.randomUUID());
  await fs.mkdir(dir, { recursive: true });
  await writeOwnerFile(dir);
  const workspace = path.join(dir, "workspace");
  await fs.mkdir(workspace);
  return { dir, workspace, gitDir, indexFile: path.join(dir, "index") };
}

/** Writes the files of `sha` into the (empty) workspace, and the attempt's index to match. */
export async function checkOut(tree: AttemptTree, sha: string, signal?: AbortSignal): Promise<void> {
  await runGit(["read-tree", "--reset", "-u", sha], { ...treeGitOptions(tree), signal });
}

/** Removes an attempt's folder, and the run's folders once nothing is left in them. */
export async function removeAttempt(dataDir: string, runId: string, tree: Pick<AttemptTree, "dir">): Promise<void> {
  await fs.rm(tree.dir, { recursive: true, force: true });
  await removeIfEmpty(attemptsDir(dataDir, runId));
  await removeIfEmpty(runDir(dataDir, runId));
}

/** Records this process as the owner of a folder it is making (an attempt, a pool entry). */
export async function writeOwnerFile(dir: string): Promise<void> {
  const owner: OwnerRecord = { hostname: os.hostname(), pid: process.pid, instance: processInstance, createdAt: new Date().toISOString() };
  await fs.writeFile(path.join(dir, OWNER_FILE), JSON.stringify(owner));
}

/**
 * Whether a folder was made by a job process on this host that is gone. No owner file or an
 * unreadable one: not known to be stale (left alone).
 */
export async function ownedByGoneProcess(dir: string, logger: Logger): Promise<boolean> {
  const owner = await readOwner(path.join(dir, OWNER_FILE), logger);
  return owner !== null && isStale(owner);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isStale(owner: OwnerRecord): boolean {
  if (owner.hostname !== os.hostname()) return false;
  if (owner.pid === process.pid) return owner.instance !== processInstance;
  return !isProcessAlive(owner.pid);
}

/**
 * Start-up cleanup: removes attempt folders left by a job process on this host that is no
 * longer running. A live process's folder is never touched, nor one of another host sharing
 * the data folder. Also removes the worktrees folder of earlier versions (git worktrees of
 * the mirror) once its owners are gone. Returns the removed folders.
 */
export async function cleanupStaleAttempts(dataDir: string, logger: Logger): Promise<string[]> {
  const removed: string[] = [];
  for (const runId of await readdirOrEmpty(runsDir(dataDir))) {
    let attempts: string;
    try {
      attempts = attemptsDir(dataDir, runId);
    } catch {
      continue; // not a run's folder
    }
    for (const name of await readdirOrEmpty(attempts)) {
      const dir = path.join(attempts, name);
      if (!(await ownedByGoneProcess(dir, logger))) continue;
      await fs.rm(dir, { recursive: true, force: true });
      removed.push(dir);
      logger.info("removed a stale attempt folder", { dir });
    }
    await removeIfEmpty(attempts);
    await removeIfEmpty(path.join(runsDir(dataDir), runId));
  }
  removed.push(...(await cleanupLegacyWorktrees(dataDir, logger)));
  return removed;
}

async function readOwner(file: string, logger: Logger): Promise<OwnerRecord | null> {
  try {
    return ownerRecord.parse(JSON.parse(await fs.readFile(file, "utf8")));
  } catch (e) {
    logger.warn("unreadable attempt owner file; leaving the folder alone", { file, error: errorMessage(e) });
    return null;
  }
}

// Earlier versions: `<dataDir>/worktrees/<runId>` with `<runId>.owner.json` beside it.
async function cleanupLegacyWorktrees(dataDir: string, logger: Logger): Promise<string[]> {
  const dir = path.join(dataDir, "worktrees");
  const removed: string[] = [];
  for (const name of (await readdirOrEmpty(dir)).filter((n) => n.endsWith(".owner.json"))) {
    const ownerFile = path.join(dir, name);
    const owner = await readOwner(ownerFile, logger);
    if (!owner || !isStale(owner)) continue;
    const workspace = ownerFile.slice(0, -".owner.json".length);
    await fs.rm(workspace, { recursive: true, force: true });
    await fs.rm(ownerFile, { force: true });
    removed.push(workspace);
  }
  await removeIfEmpty(dir);
  return removed;
}
