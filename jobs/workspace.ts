import fs from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { errorMessage, PermanentRunError } from "./errors";
import { borrowedObjectDirs, createAgentGitDir } from "./git/agentGitDir";
import { checkOut, createAttempt, removeAttempt, type AttemptTree } from "./git/attempt";
import { validateBranchName, validateRunBranch } from "./git/branchName";
import { restoreBranch, type BundleMeta } from "./git/bundle";
import { mirrorPath, updateMirror, withMirrorLock } from "./git/mirror";
import { checkRepoUrl } from "./git/remoteUrl";
import { claimPoolEntry, moveCheckout, refillPool, type PoolSettings } from "./git/workspacePool";
import { ensureRunRepo, hasCommit, removeRunRepo, resolveCommit, runDir, setRunBranch } from "./git/runRepo";
import type { AttemptFence } from "./run/fence";
import { restoreStackBase } from "./run/stackBase";
import type { StackLink } from "../lib/contracts/runStack";

export { checkRepoUrl } from "./git/remoteUrl";

export type Workspace = AttemptTree & {
  /** Absolute path of the run's files (the attempt's workspace folder). */
  path: string;
  runId: string;
  dataDir: string;
  mirror: string;
  branch: string;
  baseBranch: string;
  baseSha: string;
  /** Where this attempt put the run's branch: the base, or the commit it resumes from. */
  headSha: string;
  /**
   * What the sandbox binds read-only at the same paths: the object stores the workspace's
   * `.git` borrows from (the run's repository's and the mirror's). Nothing writable.
   */
  readOnlyPaths: string[];
  /** How the files were made and where the time went (the workspace bench reads it). */
  preparation: { pooledFrom: string | null; stepsMs: Partial<Record<PreparationStep, number>> };
};

/**
 * validate: names and URL; lock: waiting for the mirror's lock; fetch: the mirror; runRepo:
 * the run's repository and branch; checkout: the files; agentGit: the workspace's `.git`.
 */
export type PreparationStep = "validate" | "lock" | "fetch" | "runRepo" | "checkout" | "agentGit";

export type PrepareWorkspaceOptions = {
  dataDir: string;
  allowLocalRepos: boolean;
  runId: string;
  repo: { name: string; url: string };
  branch: string;
  baseBranch: string;
  credential?: string;
  signal?: AbortSignal;
  /**
   * Resume the run at a checkpoint commit. On a machine whose run repository lacks it, the
   * branch is restored from the run's bundle (saved in Redis by the job process that made it).
   */
  resumeAt?: {
    headSha: string;
    baseSha: string;
    loadBundle(): Promise<{ bundle: Buffer; meta: BundleMeta } | null>;
  };
  /**
   * A stacked run: the branches it builds on (root first). Its branch starts at its parent's
   * head instead of the base branch's; branches not on the remote come from their runs' bundles.
   */
  stackedOn?: { links: readonly StackLink[]; loadBundle(runId: string): Promise<{ bundle: Buffer; meta: BundleMeta } | null> };
  /** The delivery's fence: the run's branch moves only while it holds its job lock. */
  fence?: AttemptFence;
  /** Prepared checkouts of the repository (git/workspacePool.ts); without it, every file is checked out. */
  pool?: PoolSettings;
};

/**
 * The run's workspace for this delivery: fetch the repository's mirror (created on first use),
 * make sure the run has its own repository (borrowing the mirror's objects), put the run's
 * branch at the base branch's head (or the checkpoint when resuming), and check it out into
 * a fresh attempt folder (from a prepared checkout of the pool when there is one). Fetch and
 * branch creation hold the mirror's lock together, so a concurrent fetch cannot move the base
 * between the two.
 */
export async function prepareWorkspace(options: PrepareWorkspaceOptions): Promise<Workspace> {
  const { dataDir, runId, repo, branch, baseBranch, credential, signal, resumeAt, allowLocalRepos, fence, stackedOn } = options;
  // The pool holds checkouts of the base branch's head: a stacked run starts elsewhere.
  const pool = stackedOn ? undefined : options.pool;
  const steps = stopwatch();
  checkRepoUrl(repo.url, allowLocalRepos);
  // A run id that cannot name a folder is refused before any git work.
  runDir(dataDir, runId);
  await validateRunBranch(branch);
  await validateBranchName(baseBranch);
  steps.lap("validate");
  const { mirror, gitDir, baseSha, startSha } = await withMirrorLock(mirrorPath(dataDir, repo.url), async () => {
    steps.lap("lock");
    const mirror = await updateMirror({ dataDir, url: repo.url, repoName: repo.name, allowLocalRepos, credential, signal });
    steps.lap("fetch");
    const gitDir = await ensureRunRepo(dataDir, runId, mirror);
    // First: a resumed stacked run's own bundle needs its parent's commits to restore.
    const stackHead = stackedOn ? await restoreStackBase({ gitDir, links: stackedOn.links, loadBundle: stackedOn.loadBundle, fence }) : null;
    if (resumeAt && !(await hasCommit(gitDir, resumeAt.headSha))) {
      const saved = await resumeAt.loadBundle();
      if (!saved) {
        throw new PermanentRunError(
          `the run's checkpoint commit ${resumeAt.headSha} is not on this machine and the run has no saved bundle`,
        );
      }
      await fence?.check("restore the run's branch");
      await restoreBranch({ gitDir, ...saved });
    }
    // The remote's branches are in the mirror only; the run's repository borrows their objects.
    const baseSha = resumeAt
      ? resumeAt.baseSha
      : (stackHead ?? (await resolveCommit(mirror, `refs/remotes/origin/${baseBranch}`, `base branch "${baseBranch}"`)));
    const startSha = resumeAt ? await checkCommitId(gitDir, resumeAt.headSha) : baseSha;
    // A run taken up again without a checkpoint starts over from the base.
    await setRunBranch(gitDir, branch, startSha, fence);
    steps.lap("runRepo");
    return { mirror, gitDir, baseSha, startSha };
  });

  const tree = await createAttempt(dataDir, runId, gitDir);
  let pooledFrom: string | null;
  try {
    pooledFrom = await checkOutFromPool(tree, { dataDir, mirror, startSha, signal, pool });
    steps.lap("checkout");
    await createAgentGitDir({ workspace: tree.workspace, runRepo: gitDir, branch, headSha: startSha, baseBranch, baseSha, checkoutIndex: tree.indexFile });
    steps.lap("agentGit");
  } catch (e) {
    await removeAttempt(dataDir, runId, tree);
    throw e;
  } finally {
    // The claimed entry is replaced (or the pool made) from the base branch's new head.
    if (pool) refillPool({ dataDir, mirror, baseBranch, settings: pool });
  }
  return {
    ...tree,
    path: tree.workspace,
    runId,
    dataDir,
    mirror,
    branch,
    baseBranch,
    baseSha,
    headSha: startSha,
    readOnlyPaths: borrowedObjectDirs(gitDir, mirror),
    preparation: { pooledFrom, stepsMs: steps.laps },
  };
}

function stopwatch() {
  const laps: Partial<Record<PreparationStep, number>> = {};
  let mark = performance.now();
  return {
    laps,
    lap(step: PreparationStep) {
      const now = performance.now();
      laps[step] = now - mark;
      mark = now;
    },
  };
}

/**
 * The attempt's files at `startSha`: a prepared entry of the pool brought to it (only what
 * differs is written), or a checkout of every file when the pool is off, empty, or the entry
 * cannot be moved (then it is thrown away and the checkout starts from an empty folder).
 */
async function checkOutFromPool(
  tree: AttemptTree,
  o: { dataDir: string; mirror: string; startSha: string; signal?: AbortSignal; pool?: PoolSettings },
): Promise<string | null> {
  const entrySha = o.pool && o.pool.size > 0 ? await claimPoolEntry(o.dataDir, o.mirror, o.startSha, tree) : null;
  if (entrySha !== null) {
    try {
      await moveCheckout(tree, entrySha, o.startSha, o.signal);
      return entrySha;
    } catch (e) {
      // Nothing of the entry is kept: its files may be anything the failed move left.
      if (o.signal?.aborted) throw e;
      o.pool?.logger.warn("could not bring a pooled workspace to the run's commit; checking out every file", {
        from: entrySha,
        to: o.startSha,
        error: errorMessage(e),
      });
      await fs.rm(tree.workspace, { recursive: true, force: true });
      await fs.rm(tree.indexFile, { force: true });
      await fs.mkdir(tree.workspace);
    }
  }
  await checkOut(tree, o.startSha, o.signal);
  return null;
}

async function checkCommitId(gitDir: string, sha: string): Promise<string> {
  if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new PermanentRunError(`"${sha}" is not a commit id`);
  return resolveCommit(gitDir, sha, `commit ${sha}`);
}

/**
 * Removes this attempt's folder. `endRun`: the run is over without anything left to review
 * (completed with no changes, failed, cancelled), so its repository goes too.
 */
export async function releaseWorkspace(workspace: Workspace, opts: { endRun?: boolean } = {}): Promise<void> {
  await removeAttempt(workspace.dataDir, workspace.runId, workspace);
  if (opts.endRun) await removeRunRepo(workspace.dataDir, workspace.runId);
}
