import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { PermanentRunError } from "../errors";
import { pathExists } from "../fsUtil";
import { credentialEnv } from "./credentials";
import { GitError, remoteProtocols, runGit, withLockRetry } from "./exec";
import { writePlatformConfig } from "./platformRepo";

/**
 * The mirror cache: one bare repository per repository URL, holding only the remote's
 * branches (under refs/remotes/origin/*), fetched before every run. Runs never get a worktree
 * of it: each run has its own repository (runRepo.ts) that borrows the mirror's objects, so a
 * run costs a fetch of what changed instead of a clone, and nothing of a run is in here.
 *
 * The mirror has no remote in its config: every fetch names the registered URL from the job
 * payload, so no config can redirect it, and the credential goes only to that URL.
 */
const FETCH_REFSPEC = "+refs/heads/*:refs/remotes/origin/*";
const REMOTE_TIMEOUT_MS = 15 * 60_000;

export function mirrorsDir(dataDir: string): string {
  return path.join(dataDir, "mirrors");
}

/** `<dataDir>/mirrors/<name>-<sha256(url) 12 hex>.git`: readable, and unique per URL. */
export function mirrorPath(dataDir: string, url: string): string {
  const hash = crypto.createHash("sha256").update(url).digest("hex").slice(0, 12);
  const last = url.replace(/[/\\]+$/, "").split(/[/\\:]/).pop() ?? "";
  const name = last.replace(/\.git$/, "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "").slice(0, 40);
  return path.join(mirrorsDir(dataDir), `${name || "repo"}-${hash}.git`);
}

// One fetch per mirror at a time in this process: two runs of the same repository would
// otherwise race on the mirror's ref locks. Other processes are handled by `withLockRetry`.
const mirrorLocks = new Map<string, Promise<unknown>>();

export async function withMirrorLock<T>(mirror: string, fn: () => Promise<T>): Promise<T> {
  const previous = mirrorLocks.get(mirror) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(fn);
  mirrorLocks.set(mirror, next);
  try {
    return await next;
  } finally {
    if (mirrorLocks.get(mirror) === next) mirrorLocks.delete(mirror);
  }
}

export type MirrorOptions = {
  dataDir: string;
  url: string;
  /** Display name for messages (the registered repository's name). */
  repoName: string;
  allowLocalRepos: boolean;
  credential?: string;
  signal?: AbortSignal;
};

/**
 * Creates the mirror if needed and fetches it. Call inside `withMirrorLock`. Throws
 * PermanentRunError when the URL is not a readable repository; other git failures (network)
 * are rethrown as they are so the job is retried.
 */
export async function updateMirror(options: MirrorOptions): Promise<string> {
  const { dataDir, url, credential, signal, allowLocalRepos } = options;
  const mirror = mirrorPath(dataDir, url);
  const created = !(await pathExists(mirror));
  if (created) await createMirror(mirror);
  await scrubMirror(mirror);
  const env = await credentialEnv(dataDir, credential, url);
  try {
    await withLockRetry(() =>
      runGit(["fetch", "--prune", "--no-tags", "--no-write-fetch-head", "--quiet", "--", url, FETCH_REFSPEC], {
        gitDir: mirror,
        env,
        protocols: remoteProtocols(allowLocalRepos),
        signal,
        timeoutMs: REMOTE_TIMEOUT_MS,
      }),
    );
  } catch (e) {
    // A URL that never answered leaves no empty mirror behind for later runs to trust.
    if (created) await fs.rm(mirror, { recursive: true, force: true });
    throw classifyRemoteError(e, options.repoName);
  }
  return mirror;
}

async function createMirror(mirror: string): Promise<void> {
  await fs.mkdir(path.dirname(mirror), { recursive: true });
  // Made under a temporary name and renamed: a job process sharing the folder sees the
  // mirror whole or not at all. An empty mirror is fine: the fetch fills it.
  const tmp = `${mirror}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
  try {
    await runGit(["init", "--quiet", "--bare", "--template=", "--", tmp]);
    await writePlatformConfig(tmp);
    await fs.rename(tmp, mirror).catch((e: NodeJS.ErrnoException) => {
      // Another job process made it first; use theirs.
      if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e;
    });
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Puts the mirror back to what the platform made: its own config, no hooks, no attributes,
 * grafts or alternates, and no branch of its own (only refs/remotes/origin/* from the fetch).
 * Mirrors of earlier versions were shared with runs' worktrees and may have been written by
 * one; this is also what keeps them harmless.
 */
async function scrubMirror(mirror: string): Promise<void> {
  await writePlatformConfig(mirror);
  for (const name of ["hooks", "worktrees", "info/attributes", "info/grafts", "info/sparse-checkout", "objects/info/alternates", "objects/info/http-alternates", "shallow"]) {
    await fs.rm(path.join(mirror, name), { recursive: true, force: true });
  }
  const stray = await runGit(["for-each-ref", "--format=delete %(refname)", "--", "refs/heads/", "refs/tags/", "refs/replace/", "refs/agentdesk/"], {
    gitDir: mirror,
  });
  if (stray.stdout.trim()) await runGit(["update-ref", "--stdin"], { gitDir: mirror, input: stray.stdout });
}

// What git says when the URL itself is wrong or the credential is refused: retrying will not help.
const PERMANENT_REMOTE_ERROR =
  /does not appear to be a git repository|repository '.*' (does not exist|not found)|not found|Authentication failed|could not read (Username|Password)|terminal prompts disabled|Permission denied|Invalid username or password|The requested URL returned error: 40[134]|not a git repository|unable to find remote helper|transport '.*' not allowed/i;

function classifyRemoteError(e: unknown, repoName: string): unknown {
  if (e instanceof GitError && PERMANENT_REMOTE_ERROR.test(e.stderr)) {
    return new PermanentRunError(
      `repository "${repoName}" could not be read: ${e.stderr.trim().split("\n").slice(-2).join(" ")} ` +
        `(check the repository URL and its credential)`,
      { cause: e },
    );
  }
  return e;
}
