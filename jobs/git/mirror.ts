import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { PermanentRunError } from "../errors";
import { pathExists } from "../fsUtil";
import { credentialEnv } from "./credentials";
import { GitError, runGit, withLockRetry } from "./exec";

/**
 * The mirror cache: one bare clone per repository URL, fetched before every run. Runs get a
 * worktree of it, so a run costs a fetch of what changed instead of a clone.
 *
 * Remote branches are fetched into refs/remotes/origin/* (not `--mirror`): our own
 * refs/heads/agentdesk/* branches live in the mirror and must survive `fetch --prune`.
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
  credential?: string;
  signal?: AbortSignal;
};

/**
 * Creates the mirror if needed and fetches it. Call inside `withMirrorLock`. Throws
 * PermanentRunError when the URL is not a readable repository; other git failures (network)
 * are rethrown as they are so the job is retried.
 */
export async function updateMirror(options: MirrorOptions): Promise<string> {
  const { dataDir, url, credential, signal } = options;
  const mirror = mirrorPath(dataDir, url);
  const env = await credentialEnv(dataDir, credential);
  try {
    if (!(await pathExists(mirror))) await cloneMirror(mirror, options, env);
    await withLockRetry(() =>
      runGit(["fetch", "--prune", "--no-tags", "--quiet", "origin"], {
        gitDir: mirror,
        env,
        signal,
        timeoutMs: REMOTE_TIMEOUT_MS,
      }),
    );
  } catch (e) {
    throw classifyRemoteError(e, options.repoName);
  }
  return mirror;
}

async function cloneMirror(mirror: string, { url, signal }: MirrorOptions, env: Record<string, string>) {
  await fs.mkdir(path.dirname(mirror), { recursive: true });
  // Cloned under a temporary name and renamed: a crash mid-clone leaves no half mirror that
  // later runs would trust, and a job process sharing the folder sees the mirror whole or not at all.
  const tmp = `${mirror}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
  try {
    await runGit(["clone", "--bare", "--quiet", "--", url, tmp], { env, signal, timeoutMs: REMOTE_TIMEOUT_MS });
    await runGit(["config", "remote.origin.fetch", FETCH_REFSPEC], { gitDir: tmp });
    // `clone --bare` copies the remote's branches to refs/heads/*; they would go stale there
    // and could collide with our agentdesk/* branches. The fetch puts them under refs/remotes.
    const heads = await runGit(["for-each-ref", "--format=delete %(refname)", "refs/heads/"], { gitDir: tmp });
    if (heads.stdout.trim()) {
      await runGit(["update-ref", "--stdin"], { gitDir: tmp, input: heads.stdout });
    }
    await fs.rename(tmp, mirror).catch(async (e: NodeJS.ErrnoException) => {
      // Another job process finished the same clone first; use theirs.
      if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e;
    });
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

// What git says when the URL itself is wrong or the credential is refused: retrying will not help.
const PERMANENT_REMOTE_ERROR =
  /does not appear to be a git repository|repository '.*' (does not exist|not found)|not found|Authentication failed|could not read (Username|Password)|terminal prompts disabled|Permission denied|Invalid username or password|The requested URL returned error: 40[134]|not a git repository|unable to find remote helper/i;

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
