import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { errorMessage } from "../errors";
import { pathExists, readdirOrEmpty, readFileOrNull } from "../fsUtil";
import type { Logger } from "../logger";
import { ownedByGoneProcess, treeGitOptions, writeOwnerFile, type AttemptTree } from "./attempt";
import { validateBranchName } from "./branchName";
import { runGit, type GitOptions } from "./exec";
import { mirrorsDir } from "./mirror";
import { writeFileAtomic } from "./platformRepo";
import { removeIfEmpty } from "./runRepo";

/**
 * Prepared checkouts, so a run's workspace costs a rename and the files that changed since,
 * not a checkout of every file. Per repository (mirror):
 * `<dataDir>/workspace-pool/<mirror name>/` holds entries laid out like an attempt's folder
 * (`owner.json`, `index`, `workspace/`), each the checkout of one commit of the mirror, made
 * by the platform from the mirror's objects only (never from a run's). Nothing a run executes
 * sees this folder (it is under DATA_DIR).
 *
 * Names say the state: `tmp-*` is being made (never claimed; a gone owner's is removed at
 * start-up), `<ms>-<sha>-<hex>` is whole (renamed from `tmp-*` once complete), `trash-*` is
 * being deleted. A run CLAIMS an entry by renaming it into its attempt folder: one rename,
 * so two claimants never get the same entry, and a crash leaves it either in the pool
 * untouched or in the attempt folder (removed with it). An entry is never given back: after
 * a run, its folder is deleted and the pool is refilled from objects in the background.
 */
const POOL_FOLDER = "workspace-pool";
const BASE_FILE = "base.json";
const ENTRY_NAME = /^(\d{13})-([0-9a-f]{40}|[0-9a-f]{64})-[0-9a-f]{8}$/;
const TMP_PREFIX = "tmp-";
const TRASH_PREFIX = "trash-";

/** What the pool follows: the base branch runs of the repository last started from. */
const baseRecord = z.object({ baseBranch: z.string().min(1) });

export type PoolSettings = {
  /** Prepared entries per repository; 0 turns the pool off. */
  size: number;
  logger: Logger;
};

export function workspacePoolsDir(dataDir: string): string {
  return path.join(dataDir, POOL_FOLDER);
}

/** The pool of one mirror: named after the mirror's folder, which is unique per URL. */
export function workspacePoolDir(dataDir: string, mirror: string): string {
  return path.join(workspacePoolsDir(dataDir), path.basename(mirror, ".git"));
}

type ReadyEntry = { name: string; createdMs: number; sha: string };

function readyEntries(names: string[]): ReadyEntry[] {
  return names.flatMap((name) => {
    const m = ENTRY_NAME.exec(name);
    return m ? [{ name, createdMs: Number(m[1]), sha: m[2]! }] : [];
  });
}

/**
 * Moves a prepared entry into the attempt's folder: its files become the attempt's workspace
 * and its index the attempt's index. An entry of `wantSha` is preferred, else the newest.
 * Returns the commit the files are at, or null when the pool has nothing (or every entry
 * went to another claimant first).
 */
export async function claimPoolEntry(dataDir: string, mirror: string, wantSha: string, tree: AttemptTree): Promise<string | null> {
  const pool = workspacePoolDir(dataDir, mirror);
  const entries = readyEntries(await readdirOrEmpty(pool)).sort(
    (a, b) => Number(b.sha === wantSha) - Number(a.sha === wantSha) || b.createdMs - a.createdMs,
  );
  const claimed = path.join(tree.dir, "pool-entry");
  for (const entry of entries) {
    try {
      await fs.rename(path.join(pool, entry.name), claimed);
    } catch (e) {
      // Another job process (or start-up cleanup) took it first.
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw e;
    }
    // From here everything is inside this attempt's folder: a crash leaves it to attempt cleanup.
    // The attempt's empty workspace folder is replaced by the entry's (rename over an empty folder).
    await fs.rename(path.join(claimed, "workspace"), tree.workspace);
    await fs.rename(path.join(claimed, "index"), tree.indexFile);
    await fs.rm(claimed, { recursive: true, force: true });
    return entry.sha;
  }
  return null;
}

/**
 * Brings a claimed entry's files from the commit they are at to `sha`: a two-tree merge,
 * which writes only the files that differ (changed, added, removed, mode, file ⇄ folder)
 * and checks those are as the index says before touching them.
 */
export async function moveCheckout(tree: AttemptTree, fromSha: string, toSha: string, signal?: AbortSignal): Promise<void> {
  if (fromSha === toSha) return;
  await runGit(["read-tree", "-m", "-u", fromSha, toSha], { ...treeGitOptions(tree), signal });
}

// One refill at a time per pool in this process; `settled` lets tests, the bench and shutdown wait.
const refills = new Map<string, Promise<void>>();
const refillAbort = new AbortController();

/**
 * Starts filling the pool up to `size` entries at the head of `baseBranch` in the mirror, in
 * the background (errors are logged: a run never waits for or fails because of the pool).
 */
export function refillPool(o: { dataDir: string; mirror: string; baseBranch: string; settings: PoolSettings }): void {
  if (o.settings.size <= 0) return;
  const pool = workspacePoolDir(o.dataDir, o.mirror);
  const previous = refills.get(pool) ?? Promise.resolve();
  const next = previous.then(async () => {
    try {
      await fillPool({ ...o, ...o.settings });
    } catch (e) {
      if (!refillAbort.signal.aborted) o.settings.logger.warn("could not refill the workspace pool", { pool, error: errorMessage(e) });
    }
  });
  refills.set(pool, next);
  void next.finally(() => {
    if (refills.get(pool) === next) refills.delete(pool);
  });
}

/** Resolves once every refill this process started has finished. */
export async function poolRefillsSettled(): Promise<void> {
  while (refills.size > 0) await Promise.all(refills.values());
}

/** Shutdown: stops the refills in progress (their half-made entries go at the next start-up). */
export async function stopPoolRefills(): Promise<void> {
  refillAbort.abort(new Error("the job process is stopping"));
  await poolRefillsSettled();
}

/**
 * Fills the pool up to `size` entries at the head of `baseBranch` (awaited; refillPool is the
 * background form). Entries beyond `size` (the setting was lowered) are removed, oldest first.
 * Returns how many entries it made.
 */
export async function fillPool(o: { dataDir: string; mirror: string; baseBranch: string; size: number; logger: Logger }): Promise<number> {
  const pool = workspacePoolDir(o.dataDir, o.mirror);
  await fs.mkdir(pool, { recursive: true });
  await writeFileAtomic(path.join(pool, BASE_FILE), JSON.stringify({ baseBranch: o.baseBranch }));
  const { stdout } = await runGit(["rev-parse", "--verify", "--quiet", "--end-of-options", `refs/remotes/origin/${o.baseBranch}^{commit}`], {
    gitDir: o.mirror,
    signal: refillAbort.signal,
  });
  const sha = stdout.trim();
  let made = 0;
  for (;;) {
    const names = await readdirOrEmpty(pool);
    const ready = readyEntries(names).sort((a, b) => b.createdMs - a.createdMs);
    for (const extra of ready.slice(Math.max(0, o.size))) await trash(pool, extra.name);
    // Entries another live process is making count too, so two processes do not overfill.
    let inProgress = 0;
    for (const name of names.filter((n) => n.startsWith(TMP_PREFIX))) {
      if (!(await ownedByGoneProcess(path.join(pool, name), o.logger))) inProgress += 1;
    }
    if (Math.min(ready.length, o.size) + inProgress >= o.size) return made;
    await makeEntry(o.mirror, pool, sha);
    made += 1;
  }
}

async function makeEntry(mirror: string, pool: string, sha: string): Promise<void> {
  const tmp = path.join(pool, `${TMP_PREFIX}${crypto.randomUUID()}`);
  await fs.mkdir(tmp);
  try {
    await writeOwnerFile(tmp);
    const workspace = path.join(tmp, "workspace");
    await fs.mkdir(workspace);
    // The mirror's objects only; the index and files go into the entry (GIT_INDEX_FILE, --work-tree).
    const entryGit = { ...treeGitOptions({ gitDir: mirror, workspace, indexFile: path.join(tmp, "index") }), signal: refillAbort.signal };
    await runGit(["read-tree", "--reset", "-u", sha], entryGit);
    await settleRacyEntries(entryGit);
    await fs.rename(tmp, path.join(pool, `${Date.now()}-${sha}-${crypto.randomBytes(4).toString("hex")}`));
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Files written in the same second as the index are "racily clean" to git (its timestamps
 * here are whole seconds): every later command that reads the index, the claim's two-tree
 * read-tree included, hashes all of them again (about 100 ms for 10k files). Refreshed once
 * the clock has passed that second, the entry's index is written after its files and nothing
 * is racy any more, so a claim only touches what changed. Paid here, in the background refill.
 */
async function settleRacyEntries(entryGit: GitOptions & { signal: AbortSignal }): Promise<void> {
  const nextSecond = (Math.floor(Date.now() / 1000) + 1) * 1000;
  await new Promise((resolve) => setTimeout(resolve, nextSecond - Date.now() + 10));
  await runGit(["update-index", "-q", "--refresh"], entryGit);
}

/** An admin's delete of one entry (jobs/workspaces/remove.ts): taken out of the pool like any other. Returns false when it was gone. */
export function removePoolEntry(dataDir: string, poolName: string, entryName: string): Promise<boolean> {
  if (!ENTRY_NAME.test(entryName)) throw new Error(`"${entryName}" is not a pool entry`);
  return trash(path.join(workspacePoolsDir(dataDir), poolName), entryName);
}

/** Takes an entry out of the pool by renaming it first (so no claimant gets a half-deleted one), then deletes it. */
async function trash(pool: string, name: string): Promise<boolean> {
  const doomed = path.join(pool, `${TRASH_PREFIX}${crypto.randomUUID()}`);
  try {
    await fs.rename(path.join(pool, name), doomed);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
  await removeTrash(doomed);
  return true;
}

// A git left running by a killed process may still be writing in it, or another process's
// start-up may be removing it too: whatever cannot be removed now stays as trash-* (never
// claimed) for the next start-up.
async function removeTrash(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
}

/**
 * Start-up: removes what job processes on this host that are gone left in the pools (entries
 * half made, whole ones too: a whole entry is cheap to make again and one that lived through a
 * power loss is not trusted), pools of mirrors that no longer exist, and half-deleted entries.
 * Returns the removed folders.
 */
export async function cleanupStalePoolEntries(dataDir: string, logger: Logger): Promise<string[]> {
  const removed: string[] = [];
  for (const poolName of await readdirOrEmpty(workspacePoolsDir(dataDir))) {
    const pool = path.join(workspacePoolsDir(dataDir), poolName);
    const mirrorGone = !(await pathExists(path.join(mirrorsDir(dataDir), `${poolName}.git`)));
    for (const name of await readdirOrEmpty(pool)) {
      const dir = path.join(pool, name);
      if (name === BASE_FILE) continue;
      const stale =
        mirrorGone ||
        name.startsWith(TRASH_PREFIX) ||
        // A maker that died before writing its owner file left a folder nothing will ever claim.
        (name.startsWith(TMP_PREFIX) && !(await pathExists(path.join(dir, "owner.json")))) ||
        ((name.startsWith(TMP_PREFIX) || ENTRY_NAME.test(name)) && (await ownedByGoneProcess(dir, logger)));
      if (!stale) continue;
      if (name.startsWith(TRASH_PREFIX)) await removeTrash(dir);
      else if (!(await trash(pool, name))) continue;
      removed.push(dir);
    }
    if (mirrorGone) await fs.rm(path.join(pool, BASE_FILE), { force: true });
    await removeIfEmpty(pool);
  }
  if (removed.length > 0) logger.info("removed stale workspace pool entries", { count: removed.length });
  return removed;
}

/**
 * Start-up, after cleanup: refills every pool whose mirror is still here, at the base branch
 * its runs last used (in the background).
 */
export async function refillAllPools(dataDir: string, settings: PoolSettings): Promise<void> {
  if (settings.size <= 0) return;
  for (const poolName of await readdirOrEmpty(workspacePoolsDir(dataDir))) {
    const mirror = path.join(mirrorsDir(dataDir), `${poolName}.git`);
    const text = await readFileOrNull(path.join(workspacePoolsDir(dataDir), poolName, BASE_FILE));
    const base = text === null ? null : baseRecord.safeParse(safeJson(text));
    if (!base?.success || !(await pathExists(mirror))) continue;
    const valid = await validateBranchName(base.data.baseBranch).then(() => true, () => false);
    if (!valid) continue;
    refillPool({ dataDir, mirror, baseBranch: base.data.baseBranch, settings });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
