import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { runJobPayload } from "../../lib/queue";
import { PermanentRunError, errorMessage } from "../errors";
import { pathExists, readdirOrEmpty } from "../fsUtil";
import type { Logger } from "../logger";
import { GitError, runGit, withLockRetry } from "./exec";
import { mirrorsDir } from "./mirror";

/**
 * A run's workspace: a `git worktree` of the mirror at `<dataDir>/worktrees/<runId>`, on the
 * run's own branch. The branch lives in the mirror, so it outlives the worktree for review.
 */
export function worktreesDir(dataDir: string): string {
  return path.join(dataDir, "worktrees");
}

// Run ids become folder names; nothing that could climb out of the worktrees folder.
const SAFE_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function workspaceForRun(dataDir: string, runId: string): string {
  if (!SAFE_RUN_ID.test(runId)) throw new PermanentRunError(`run id "${runId}" cannot name a workspace folder`);
  return path.join(worktreesDir(dataDir), runId);
}

function ownerFileFor(workspace: string): string {
  return `${workspace}.owner.json`;
}

/**
 * Who made a worktree. Start-up cleanup removes worktrees whose owner process on this host is
 * gone. `instance` tells a previous process apart from this one when the pid is reused (a
 * container's worker is often pid 1 every time).
 */
const ownerRecord = z.object({
  hostname: z.string(),
  pid: z.number().int(),
  instance: z.string(),
  mirror: z.string(),
  createdAt: z.string(),
});
type OwnerRecord = z.infer<typeof ownerRecord>;

const processInstance = crypto.randomUUID();

const branchPattern = runJobPayload.shape.branch;

/** Refuses a branch name git would not accept, or one outside our agentdesk/ namespace. */
export async function validateRunBranch(branch: string): Promise<void> {
  if (!branchPattern.safeParse(branch).success) {
    throw new PermanentRunError(`branch name "${branch}" is not an agentdesk/… branch name`);
  }
  await validateBranchName(branch);
}

/** `git check-ref-format --branch`; names starting with "-" would be read as options. */
export async function validateBranchName(branch: string): Promise<void> {
  if (branch.startsWith("-")) throw new PermanentRunError(`"${branch}" is not a valid branch name`);
  try {
    await runGit(["check-ref-format", "--branch", branch]);
  } catch (e) {
    if (e instanceof GitError) throw new PermanentRunError(`"${branch}" is not a valid branch name`, { cause: e });
    throw e;
  }
}

export type WorktreeOptions = {
  dataDir: string;
  mirror: string;
  runId: string;
  branch: string;
  baseBranch: string;
  signal?: AbortSignal;
  /**
   * Resume: put the branch at this commit (a checkpoint of the run, already in the mirror)
   * and keep the run's original base, instead of starting over from the base branch's head.
   */
  startAt?: { commit: string; baseSha: string };
};

/**
 * Creates the worktree on `branch`, reset to the fetched base branch (`-B`: a run taken up
 * again after a crash starts over from the base), or to `startAt` when the run resumes from
 * a checkpoint. Call after the mirror is fetched.
 */
export async function addWorktree(options: WorktreeOptions): Promise<{ path: string; baseSha: string }> {
  const { dataDir, mirror, runId, branch, baseBranch, signal, startAt } = options;
  await validateRunBranch(branch);
  await validateBranchName(baseBranch);
  const baseSha = startAt ? startAt.baseSha : await resolveBase(mirror, baseBranch);
  const startSha = startAt ? await resolveCommit(mirror, startAt.commit) : baseSha;

  const workspace = workspaceForRun(dataDir, runId);
  // A previous delivery of this run in this process may have left its worktree behind.
  if (await pathExists(workspace)) await removeWorktree(mirror, workspace);
  await fs.mkdir(worktreesDir(dataDir), { recursive: true });
  // The owner file is written first, so every worktree on disk has one.
  const owner: OwnerRecord = {
    hostname: os.hostname(),
    pid: process.pid,
    instance: processInstance,
    mirror,
    createdAt: new Date().toISOString(),
  };
  await fs.writeFile(ownerFileFor(workspace), JSON.stringify(owner));
  try {
    // Records of worktrees whose folder is gone would block `-B` on their branch.
    await runGit(["worktree", "prune"], { gitDir: mirror });
    await withLockRetry(() =>
      runGit(["worktree", "add", "--quiet", "--no-track", "-B", branch, "--", workspace, startSha], {
        gitDir: mirror,
        signal,
      }),
    );
  } catch (e) {
    await fs.rm(workspace, { recursive: true, force: true });
    await fs.rm(ownerFileFor(workspace), { force: true });
    throw e;
  }
  return { path: workspace, baseSha };
}

async function resolveBase(mirror: string, baseBranch: string): Promise<string> {
  const baseRef = `refs/remotes/origin/${baseBranch}`;
  try {
    const { stdout } = await runGit(["rev-parse", "--verify", "--quiet", "--end-of-options", `${baseRef}^{commit}`], {
      gitDir: mirror,
    });
    return stdout.trim();
  } catch (e) {
    if (e instanceof GitError) {
      throw new PermanentRunError(`base branch "${baseBranch}" does not exist in the repository`, { cause: e });
    }
    throw e;
  }
}

async function resolveCommit(mirror: string, sha: string): Promise<string> {
  if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new PermanentRunError(`"${sha}" is not a commit id`);
  const { stdout } = await runGit(["rev-parse", "--verify", "--end-of-options", `${sha}^{commit}`], { gitDir: mirror });
  return stdout.trim();
}

/** Removes a worktree and its owner file; the branch stays in the mirror. */
export async function removeWorktree(mirror: string, workspace: string): Promise<void> {
  try {
    await withLockRetry(() => runGit(["worktree", "remove", "--force", "--force", "--", workspace], { gitDir: mirror }));
  } catch (e) {
    // Git refuses when its record of the worktree is gone or damaged; the folder goes anyway.
    if (!(e instanceof GitError)) throw e;
    await fs.rm(workspace, { recursive: true, force: true });
    await runGit(["worktree", "prune"], { gitDir: mirror });
  }
  await fs.rm(ownerFileFor(workspace), { force: true });
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
 * Start-up cleanup: removes worktrees left by a job process on this host that is no longer
 * running, then prunes every mirror's worktree records. A live process's worktree is never
 * touched, nor one of another host sharing the folder.
 */
export async function cleanupStaleWorktrees(dataDir: string, logger: Logger): Promise<string[]> {
  const dir = worktreesDir(dataDir);
  const entries = await readdirOrEmpty(dir);
  const removed: string[] = [];
  for (const name of entries.filter((n) => n.endsWith(".owner.json"))) {
    const ownerFile = path.join(dir, name);
    const workspace = ownerFile.slice(0, -".owner.json".length);
    let owner: OwnerRecord;
    try {
      owner = ownerRecord.parse(JSON.parse(await fs.readFile(ownerFile, "utf8")));
    } catch (e) {
      logger.warn("unreadable worktree owner file; leaving the worktree alone", { ownerFile, error: errorMessage(e) });
      continue;
    }
    if (!isStale(owner)) continue;
    await fs.rm(workspace, { recursive: true, force: true });
    await fs.rm(ownerFile, { force: true });
    removed.push(workspace);
    logger.info("removed stale worktree", { workspace, ownerPid: owner.pid });
  }
  const mirrors = await readdirOrEmpty(mirrorsDir(dataDir));
  for (const name of mirrors.filter((n) => n.endsWith(".git"))) {
    await runGit(["worktree", "prune"], { gitDir: path.join(mirrorsDir(dataDir), name) });
  }
  return removed;
}
