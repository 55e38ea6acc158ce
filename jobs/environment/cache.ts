import { spawn } from "node:child_process";
import type { Stats } from "node:fs";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { environmentCacheEntry } from "../../lib/contracts/environment";
import { treeGitOptions, type AttemptTree } from "../git/attempt";
import { runGit } from "../git/exec";
import { readdirOrEmpty } from "../fsUtil";

/**
 * This job process's cache of set-up environments: what a repository's setup script added to
 * a fresh checkout that git does not track (node_modules, a virtualenv, build outputs), kept so
 * the next run of the same repository and key starts with it in about the time of a copy.
 *
 * Layout (shared with jobs/environment/cacheAdmin.ts, which evicts, reports and clears):
 *
 *   <dataDir>/environments/<repo-id>/<key>/meta.json   cacheMeta below
 *   <dataDir>/environments/<repo-id>/<key>/files/      the saved paths, at their workspace paths
 *   <dataDir>/environments/<repo-id>/.tmp-<uuid>/      a save in progress (renamed to <key> when whole)
 *   <dataDir>/environments/.trash/<uuid>/              a removal in progress
 *
 * `<repo-id>` is a hash of the repository's name and URL, `<key>` the cache key (cacheKey.ts).
 * An entry appears by one atomic rename once complete and goes by one rename to the trash, so a
 * reader sees a whole entry or none; a restore racing a removal fails (the run then sets up
 * from scratch). Entries are copied in and out (`cp --reflink=auto`: copy-on-write where the
 * file system has it), never hard-linked or mounted: a run can change neither the cache nor
 * another run's files. DATA_DIR is hidden from every sandbox.
 */

export const ENVIRONMENTS_DIR = "environments";
const TRASH_DIR = ".trash";
const TMP_PREFIX = ".tmp-";
const META_FILE = "meta.json";
const FILES_DIR = "files";
const REPO_ID = /^[0-9a-f]{32}$/;
const KEY = /^[0-9a-f]{64}$/;
// A save in progress is never this old; older temporary folders are a crashed save's.
const STALE_TMP_MS = 6 * 3600_000;

/** What meta.json holds: the reported fields, the configuration it was made with, and the saved paths. */
export const cacheMeta = environmentCacheEntry.extend({
  configHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The saved paths relative to the workspace (folders end without a slash): what a restore excludes from commits. */
  paths: z.array(z.string()),
});
export type CacheMeta = z.infer<typeof cacheMeta>;

/** One entry on disk: its meta and its folder. */
export type CacheEntry = CacheMeta & { dir: string };

/** The repository whose environments are cached: name (what reports and clears use) and URL. */
export type CacheRepo = { name: string; url: string };

export function environmentsDir(dataDir: string): string {
  return path.join(dataDir, ENVIRONMENTS_DIR);
}

/** `<dataDir>/environments/<repo-id>`: one repository's entries (a renamed repository starts afresh). */
export function repoCacheDir(dataDir: string, repo: CacheRepo): string {
  const id = crypto.createHash("sha256").update(`${repo.name}\0${repo.url}`).digest("hex").slice(0, 32);
  return path.join(environmentsDir(dataDir), id);
}

function entryDir(dataDir: string, repo: CacheRepo, key: string): string {
  if (!KEY.test(key)) throw new Error(`"${key}" is not an environment cache key`);
  return path.join(repoCacheDir(dataDir, repo), key);
}

async function readEntry(dir: string): Promise<CacheEntry | null> {
  let raw: string;
  try {
    raw = await fs.readFile(path.join(dir, META_FILE), "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw e;
  }
  try {
    return { ...cacheMeta.parse(JSON.parse(raw)), dir };
  } catch {
    // Written whole before the entry's rename, so only a foreign or damaged file gets here.
    return null;
  }
}

/**
 * Every entry of this data folder, all repositories. A folder whose meta.json is missing or
 * unreadable is not an entry (nothing of ours makes one: meta.json is written before the entry
 * appears); a save of its key replaces it.
 */
export async function listCacheEntries(dataDir: string): Promise<CacheEntry[]> {
  const root = environmentsDir(dataDir);
  const entries: CacheEntry[] = [];
  for (const repoId of await readdirOrEmpty(root)) {
    if (!REPO_ID.test(repoId)) continue;
    for (const key of await readdirOrEmpty(path.join(root, repoId))) {
      if (!KEY.test(key)) continue;
      const entry = await readEntry(path.join(root, repoId, key));
      if (entry) entries.push(entry);
    }
  }
  return entries;
}

/**
 * Removes an entry: renamed into the trash first (it is gone for every reader at once; a
 * restore copying from it fails cleanly), then deleted. False when it was already gone.
 */
export async function removeCacheEntry(dataDir: string, entry: Pick<CacheEntry, "dir">): Promise<boolean> {
  const root = environmentsDir(dataDir);
  const relative = path.relative(root, entry.dir).split(path.sep);
  if (relative.length !== 2 || !REPO_ID.test(relative[0]!) || !KEY.test(relative[1]!)) {
    throw new Error(`"${entry.dir}" is not an environment cache entry of ${root}`);
  }
  const trash = path.join(root, TRASH_DIR);
  await fs.mkdir(trash, { recursive: true });
  const doomed = path.join(trash, crypto.randomUUID());
  try {
    await fs.rename(entry.dir, doomed);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
  await fs.rm(doomed, { recursive: true, force: true });
  return true;
}

/**
 * What a run can use: the entry of its exact key, else (`newestOf` a configuration hash, when
 * the run has a maintenance script) the most recently made entry of the same configuration,
 * for another base commit or key files.
 */
export async function findCacheEntry(o: {
  dataDir: string;
  repo: CacheRepo;
  key: string;
  newestOf?: string;
}): Promise<{ match: "exact" | "older"; entry: CacheEntry } | null> {
  const exact = await readEntry(entryDir(o.dataDir, o.repo, o.key));
  if (exact) return { match: "exact", entry: exact };
  if (!o.newestOf) return null;
  const dir = repoCacheDir(o.dataDir, o.repo);
  let newest: CacheEntry | null = null;
  for (const key of await readdirOrEmpty(dir)) {
    if (!KEY.test(key)) continue;
    const entry = await readEntry(path.join(dir, key));
    if (entry && entry.configHash === o.newestOf && (!newest || entry.createdAt > newest.createdAt)) newest = entry;
  }
  return newest ? { match: "older", entry: newest } : null;
}

/**
 * The paths in the tree git does not track, ignored ones included (`ls-files --others` without
 * excludes), relative, a wholly untracked folder as one path: what a setup added to a fresh
 * checkout. Read with the platform's git and the attempt's index, never the workspace's `.git`
 * (which git never lists).
 */
export async function untrackedPaths(tree: Pick<AttemptTree, "gitDir" | "workspace" | "indexFile">, signal?: AbortSignal): Promise<string[]> {
  const { stdout } = await runGit(["ls-files", "--others", "--directory", "-z"], { ...treeGitOptions(tree), signal });
  return stdout
    .split("\0")
    .filter((p) => p.length > 0)
    .map((p) => p.replace(/\/+$/, ""))
    .sort();
}

export type SaveCacheOptions = {
  dataDir: string;
  repo: CacheRepo;
  key: string;
  configHash: string;
  baseSha: string;
  /** Where the paths are (a workspace after its setup). */
  source: string;
  /** Relative paths to save (untrackedPaths). */
  paths: string[];
  signal?: AbortSignal;
};

/**
 * Saves `paths` of `source` as the entry of `key`: copied into a temporary folder beside the
 * entries, meta.json written, then renamed into place in one step. When another save of the
 * same key got there first, this one's copy is discarded and the existing entry returned.
 */
export async function saveCacheEntry(o: SaveCacheOptions): Promise<CacheEntry> {
  const target = entryDir(o.dataDir, o.repo, o.key);
  const repoDir = path.dirname(target);
  await fs.mkdir(repoDir, { recursive: true });
  await removeStaleTemporaries(repoDir);
  const tmp = path.join(repoDir, `${TMP_PREFIX}${crypto.randomUUID()}`);
  try {
    const files = path.join(tmp, FILES_DIR);
    await fs.mkdir(files, { recursive: true });
    await copyPaths(o.source, o.paths, files, o.signal);
    const size = await measureTree(files);
    const now = new Date().toISOString();
    const meta: CacheMeta = {
      repo: o.repo.name,
      key: o.key,
      baseSha: o.baseSha,
      configHash: o.configHash,
      bytes: size.bytes,
      files: size.files,
      createdAt: now,
      lastUsedAt: now,
      paths: o.paths,
    };
    await fs.writeFile(path.join(tmp, META_FILE), JSON.stringify(meta));
    try {
      await fs.rename(tmp, target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw e;
      // A concurrent save of the same key won; its entry is as good as this one.
      const existing = await readEntry(target);
      if (existing) return existing;
      // A folder that is no entry (damaged, foreign) takes the key's place: it goes.
      await removeCacheEntry(o.dataDir, { dir: target });
      await fs.rename(tmp, target);
    }
    return { ...meta, dir: target };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** The entry could not be copied out (removed meanwhile, damaged, disk full): set up from scratch instead. */
export class CacheRestoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CacheRestoreError";
  }
}

/**
 * Copies an entry's files into `workspace`. The copy goes to `staging` first (a new folder on
 * the workspace's file system, e.g. in the attempt's folder), so a copy that fails leaves the
 * workspace untouched (CacheRestoreError); then each path is moved into place (moveInto).
 * Marks the entry used. Returns the paths that could not be placed (a file the workspace
 * already has).
 */
export async function restoreCacheEntry(
  entry: CacheEntry,
  o: { workspace: string; staging: string; signal?: AbortSignal },
): Promise<{ skipped: string[] }> {
  await fs.rm(o.staging, { recursive: true, force: true });
  await fs.mkdir(o.staging, { recursive: true });
  try {
    try {
      // "files/." (path.join would drop the dot): the folder's contents, not the folder.
      await copyProcess(["-a", "--reflink=auto", "--", `${path.join(entry.dir, FILES_DIR)}/.`, o.staging], "/", o.signal);
    } catch (e) {
      if (o.signal?.aborted) throw e;
      throw new CacheRestoreError(`the cached environment could not be copied: ${(e as Error).message}`, { cause: e });
    }
    const skipped = await moveInto(o.staging, o.workspace);
    await touchEntry(entry);
    return { skipped };
  } finally {
    await fs.rm(o.staging, { recursive: true, force: true });
  }
}

/** Copies `paths` of `source` (a set-up tree) into `workspace` through `staging`, like a restore. */
export async function copyEnvironmentInto(
  source: string,
  paths: string[],
  o: { workspace: string; staging: string; signal?: AbortSignal },
): Promise<{ skipped: string[] }> {
  await fs.rm(o.staging, { recursive: true, force: true });
  await fs.mkdir(o.staging, { recursive: true });
  try {
    await copyPaths(source, paths, o.staging, o.signal);
    return { skipped: await moveInto(o.staging, o.workspace) };
  } finally {
    await fs.rm(o.staging, { recursive: true, force: true });
  }
}

// Marks the entry used now (eviction is least recently used first); an entry removed meanwhile is left gone.
async function touchEntry(entry: CacheEntry): Promise<void> {
  const meta: CacheMeta = cacheMeta.parse({ ...entry, lastUsedAt: new Date().toISOString() });
  const tmp = path.join(entry.dir, `${META_FILE}.${crypto.randomUUID()}.tmp`);
  try {
    await fs.writeFile(tmp, JSON.stringify(meta));
    await fs.rename(tmp, path.join(entry.dir, META_FILE));
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}

/**
 * Moves everything in `from` into `to`: a name `to` lacks is renamed over whole (one step for
 * a node_modules); a folder both have is merged; anything else `to` already has (a file, a
 * symlink: possibly the run's own, pointing anywhere) is left alone, never followed, and its
 * path returned. `to` holds no running process of the run when this runs.
 */
export async function moveInto(from: string, to: string, prefix = ""): Promise<string[]> {
  const skipped: string[] = [];
  for (const name of await fs.readdir(from)) {
    const source = path.join(from, name);
    const target = path.join(to, name);
    const relative = prefix ? `${prefix}/${name}` : name;
    let existing: Stats | null = null;
    try {
      existing = await fs.lstat(target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    if (existing === null) {
      await fs.rename(source, target);
    } else if (existing.isDirectory() && (await fs.lstat(source)).isDirectory()) {
      skipped.push(...(await moveInto(source, target, relative)));
    } else {
      skipped.push(relative);
    }
  }
  return skipped;
}

// cp with --parents recreates each relative path under the destination; the paths come from
// git, which never goes through a symlink, and cp -a copies symlinks as symlinks.
async function copyPaths(source: string, paths: string[], destination: string, signal?: AbortSignal): Promise<void> {
  const BATCH = 500;
  for (let i = 0; i < paths.length; i += BATCH) {
    await copyProcess(["-a", "--reflink=auto", "--parents", "-t", destination, "--", ...paths.slice(i, i + BATCH)], source, signal);
  }
}

function copyProcess(args: string[], cwd: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    // Next.js's types make NODE_ENV required in ProcessEnv; cp needs none.
    const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" };
    const child = spawn("cp", args, { cwd, stdio: ["ignore", "ignore", "pipe"], signal, env: env as NodeJS.ProcessEnv });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code: number | null) => {
      if (code === 0) resolve();
      else reject(new Error(`cp exited with ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
}

/** Size and count of what a folder holds (everything but folders), symlinks not followed. */
export async function measureTree(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  const walk = async (current: string): Promise<void> => {
    const entries = await fs.readdir(current, { withFileTypes: true });
    const folders: string[] = [];
    await Promise.all(
      entries.map(async (e) => {
        const full = path.join(current, e.name);
        if (e.isDirectory()) {
          folders.push(full);
          return;
        }
        // Read first, then add: `bytes += await …` reads the total before the await and writes
        // it back after, losing what the other files of the folder added meanwhile.
        const { size } = await fs.lstat(full);
        files += 1;
        bytes += size;
      }),
    );
    for (const folder of folders) await walk(folder);
  };
  await walk(dir);
  return { bytes, files };
}

// A crashed save leaves its temporary folder; one this old is nobody's.
async function removeStaleTemporaries(repoDir: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdirOrEmpty(repoDir)) {
    if (!name.startsWith(TMP_PREFIX)) continue;
    const full = path.join(repoDir, name);
    const stat = await fs.stat(full).catch(() => null);
    if (stat && now - stat.mtimeMs > STALE_TMP_MS) await fs.rm(full, { recursive: true, force: true });
  }
}

/** Removes leftovers of interrupted removals (start-up: nothing of this process is removing yet). */
export async function emptyCacheTrash(dataDir: string): Promise<void> {
  await fs.rm(path.join(environmentsDir(dataDir), TRASH_DIR), { recursive: true, force: true });
}
