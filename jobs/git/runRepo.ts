import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { PermanentRunError } from "../errors";
import { pathExists } from "../fsUtil";
import { GitError, gitSucceeds, runGit } from "./exec";
import { writeAlternates, writePlatformConfig } from "./platformRepo";

/**
 * A run's own repository: `<dataDir>/runs/<runId>/repo.git`, a bare repository only the
 * platform writes. It holds the run's branch and the objects of the run's commits, and
 * borrows everything else from the mirror's object store (objects/info/alternates), which it
 * never writes. It outlives the run's attempts, for review (diff, push, request changes), and
 * goes when the run is pushed, discarded or ends without review.
 *
 * Nothing a run executes writes here: the run's workspace is a separate folder
 * (attempt.ts), and the `.git` the agent sees in it is a disposable copy (agentGitDir.ts).
 */

// Run ids become folder names; nothing that could climb out of the runs folder.
const SAFE_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function runsDir(dataDir: string): string {
  return path.join(dataDir, "runs");
}

/** `<dataDir>/runs/<runId>`: the run's repository and its attempts' folders. */
export function runDir(dataDir: string, runId: string): string {
  if (!SAFE_RUN_ID.test(runId)) throw new PermanentRunError(`run id "${runId}" cannot name a folder`);
  return path.join(runsDir(dataDir), runId);
}

export function runRepoPath(dataDir: string, runId: string): string {
  return path.join(runDir(dataDir, runId), "repo.git");
}

/**
 * Creates the run's repository if it is not there, and (again every time) writes its config
 * and points its alternates at the mirror's objects. Returns its path.
 */
export async function ensureRunRepo(dataDir: string, runId: string, mirror: string): Promise<string> {
  const repo = runRepoPath(dataDir, runId);
  if (!(await pathExists(repo))) {
    await fs.mkdir(path.dirname(repo), { recursive: true });
    // Made under a temporary name and renamed, so a half-made repository is never used.
    const tmp = `${repo}.tmp-${crypto.randomBytes(6).toString("hex")}`;
    try {
      await runGit(["init", "--quiet", "--bare", "--template=", "--", tmp]);
      await fs.rename(tmp, repo).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e;
      });
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  }
  await writePlatformConfig(repo);
  await writeAlternates(repo, [path.join(mirror, "objects")]);
  return repo;
}

/**
 * Puts the run's branch at `sha` and makes it the repository's HEAD. With a fence (a run
 * job's delivery) the move happens only while the delivery holds its job lock, from where the
 * branch was read (compare-and-swap), so a paused attempt that wakes cannot reset the branch
 * under the attempt that took the run over.
 */
export async function setRunBranch(repo: string, branch: string, sha: string, fence?: BranchMover): Promise<void> {
  const ref = `refs/heads/${branch}`;
  if (fence) {
    const current = await runGit(["rev-parse", "--verify", "--quiet", ref], { gitDir: repo }).then(
      (r) => r.stdout.trim(),
      () => "0".repeat(sha.length), // git's "must not exist yet" old value
    );
    if (current !== sha) await fence.moveBranch(repo, branch, sha, current);
  } else {
    await runGit(["update-ref", "--no-deref", ref, sha], { gitDir: repo });
  }
  await runGit(["symbolic-ref", "HEAD", ref], { gitDir: repo });
}

/** Moves a branch by compare-and-swap under a check (jobs/run/fence.ts). */
export type BranchMover = { moveBranch(gitDir: string, branch: string, next: string, prev: string): Promise<void> };

/** The commit `rev` names in `repo` (its own objects or the mirror's), or a permanent error. */
export async function resolveCommit(repo: string, rev: string, what: string): Promise<string> {
  try {
    const { stdout } = await runGit(["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`], { gitDir: repo });
    return stdout.trim();
  } catch (e) {
    if (e instanceof GitError) throw new PermanentRunError(`${what} does not exist in the repository`, { cause: e });
    throw e;
  }
}

/** Whether a repository holds a commit (with what it borrows from the mirror). */
export async function hasCommit(repo: string, sha: string): Promise<boolean> {
  if (!(await pathExists(repo))) return false;
  return gitSucceeds(["rev-parse", "--verify", "--quiet", "--end-of-options", `${sha}^{commit}`], { gitDir: repo });
}

/**
 * Removes the run's repository (push, discard, a run that ended without review). Attempt
 * folders of live job processes are left to them; the run's folder goes once it is empty.
 */
export async function removeRunRepo(dataDir: string, runId: string): Promise<boolean> {
  const repo = runRepoPath(dataDir, runId);
  const existed = await pathExists(repo);
  await fs.rm(repo, { recursive: true, force: true });
  await removeIfEmpty(path.join(runDir(dataDir, runId), "attempts"));
  await removeIfEmpty(runDir(dataDir, runId));
  return existed;
}

export async function removeIfEmpty(dir: string): Promise<void> {
  await fs.rmdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== "ENOENT" && e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e;
  });
}
