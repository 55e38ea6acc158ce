import { PermanentRunError } from "./errors";
import { borrowedObjectDirs, createAgentGitDir } from "./git/agentGitDir";
import { checkOut, createAttempt, removeAttempt, type AttemptTree } from "./git/attempt";
import { validateBranchName, validateRunBranch } from "./git/branchName";
import { restoreBranch, type BundleMeta } from "./git/bundle";
import { mirrorPath, updateMirror, withMirrorLock } from "./git/mirror";
import { checkRepoUrl } from "./git/remoteUrl";
import { ensureRunRepo, hasCommit, removeRunRepo, resolveCommit, runDir, setRunBranch } from "./git/runRepo";
import type { AttemptFence } from "./run/fence";

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
};

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
  /** The delivery's fence: the run's branch moves only while it holds its job lock. */
  fence?: AttemptFence;
};

/**
 * The run's workspace for this delivery: fetch the repository's mirror (created on first use),
 * make sure the run has its own repository (borrowing the mirror's objects), put the run's
 * branch at the base branch's head (or the checkpoint when resuming), and check it out into
 * a fresh attempt folder. Fetch and branch creation hold the mirror's lock together, so a
 * concurrent fetch cannot move the base between the two.
 */
export async function prepareWorkspace(options: PrepareWorkspaceOptions): Promise<Workspace> {
  const { dataDir, runId, repo, branch, baseBranch, credential, signal, resumeAt, allowLocalRepos, fence } = options;
  checkRepoUrl(repo.url, allowLocalRepos);
  // A run id that cannot name a folder is refused before any git work.
  runDir(dataDir, runId);
  await validateRunBranch(branch);
  await validateBranchName(baseBranch);
  const { mirror, gitDir, baseSha, startSha } = await withMirrorLock(mirrorPath(dataDir, repo.url), async () => {
    const mirror = await updateMirror({ dataDir, url: repo.url, repoName: repo.name, allowLocalRepos, credential, signal });
    const gitDir = await ensureRunRepo(dataDir, runId, mirror);
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
    const baseSha = resumeAt ? resumeAt.baseSha : await resolveCommit(mirror, `refs/remotes/origin/${baseBranch}`, `base branch "${baseBranch}"`);
    const startSha = resumeAt ? await checkCommitId(gitDir, resumeAt.headSha) : baseSha;
    // A run taken up again without a checkpoint starts over from the base.
    await setRunBranch(gitDir, branch, startSha, fence);
    return { mirror, gitDir, baseSha, startSha };
  });

  const tree = await createAttempt(dataDir, runId, gitDir);
  try {
    await checkOut(tree, startSha, signal);
    await createAgentGitDir({ workspace: tree.workspace, runRepo: gitDir, branch, headSha: startSha, baseBranch, baseSha, checkoutIndex: tree.indexFile });
  } catch (e) {
    await removeAttempt(dataDir, runId, tree);
    throw e;
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
  };
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
