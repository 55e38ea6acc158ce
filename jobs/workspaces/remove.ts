import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { parseWorkspaceId } from "../../lib/contracts/workspaces";
import { runDir, runsDir } from "../git/runRepo";
import { removePoolEntry, workspacePoolsDir } from "../git/workspacePool";
import type { DiskUseCache } from "./diskUse";
import { runState } from "./inventory";

/**
 * Deletes one workspace of this job process by its id (never a path from the web): the id is
 * parsed by the contract's rules, resolved inside this process's DATA_DIR, and the folder must
 * be a real folder there (not a symlink, nothing resolving elsewhere). A run's folder is
 * refused while a job here uses it (the run is running, or being pushed or discarded) and
 * while the run is suspended waiting for a person (it resumes from it).
 */
export type RemoveOutcome = { outcome: "deleted" | "refused" | "not_found"; reason: string | null; bytes: number };

const TRASH_PREFIX = ".trash-";

/**
 * The folder the id names, checked to be where it should be: its real path is the expected one
 * under the real path of its parent folder (so neither it nor anything on the way is a symlink
 * leading out). Null when there is nothing there.
 */
async function confinedFolder(parent: string, name: string): Promise<string | "escape" | null> {
  const dir = path.join(parent, name);
  const stat = await fs.lstat(dir).catch(() => null);
  if (!stat) return null;
  if (!stat.isDirectory()) return "escape";
  const [realParent, realDir] = await Promise.all([fs.realpath(parent), fs.realpath(dir)]);
  return realDir === path.join(realParent, name) ? dir : "escape";
}

const refused = (reason: string): RemoveOutcome => ({ outcome: "refused", reason, bytes: 0 });
const notFound: RemoveOutcome = { outcome: "not_found", reason: null, bytes: 0 };

/** Its size as last measured (0 if never), and forgotten: the folder is about to go. */
async function lastMeasured(disk: DiskUseCache | undefined, dir: string): Promise<number> {
  if (!disk) return 0;
  const use = await disk.measure(dir).catch(() => null);
  disk.forget(dir);
  return use?.bytes ?? 0;
}

export async function removeWorkspace(dataDir: string, id: string, suspended: Set<string>, disk?: DiskUseCache): Promise<RemoveOutcome> {
  const parsed = parseWorkspaceId(id);
  if (!parsed) return refused("not a workspace id");
  if (parsed.kind === "pool") {
    const pool = await confinedFolder(workspacePoolsDir(dataDir), parsed.pool);
    if (pool === null) return notFound;
    const entry = pool === "escape" ? "escape" : await confinedFolder(pool, parsed.entry);
    if (entry === "escape") return refused("not a folder inside the workspace pool");
    if (entry === null) return notFound;
    const bytes = await lastMeasured(disk, entry);
    return (await removePoolEntry(dataDir, parsed.pool, parsed.entry)) ? { outcome: "deleted", reason: null, bytes } : notFound;
  }
  const { runId } = parsed;
  runDir(dataDir, runId); // the contract's run id rule is the folder rule; this throws if they ever part
  const dir = await confinedFolder(runsDir(dataDir), runId);
  if (dir === null) return notFound;
  if (dir === "escape") return refused("not a folder inside the runs folder");
  const state = runState(runId, suspended);
  if (state === "active") return refused("the run is running on this job process (or being pushed or discarded)");
  if (state === "suspended") return refused("the run is waiting for a person and resumes from this workspace");
  const bytes = await lastMeasured(disk, dir);
  await removeRunFolder(dataDir, runId);
  return { outcome: "deleted", reason: null, bytes };
}

/**
 * Renamed out of the way first (a job starting at that moment finds no folder and makes a new
 * one, never a half-deleted one), then deleted. The run's branch stays in its Redis bundle.
 */
export async function removeRunFolder(dataDir: string, runId: string): Promise<void> {
  const doomed = path.join(runsDir(dataDir), `${TRASH_PREFIX}${crypto.randomUUID()}`);
  try {
    await fs.rename(runDir(dataDir, runId), doomed);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw e;
  }
  await fs.rm(doomed, { recursive: true, force: true, maxRetries: 3 });
}

/** What an interrupted delete left in the runs folder (start of each sweep). */
export async function emptyRunTrash(dataDir: string): Promise<void> {
  const names = await fs.readdir(runsDir(dataDir)).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(TRASH_PREFIX))) {
    await fs.rm(path.join(runsDir(dataDir), name), { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  }
}
