import { hasCommit } from "./agent/checkpoint";
import { PermanentRunError } from "./errors";
import { restoreBranch, type BundleMeta } from "./git/bundle";
import { updateMirror, mirrorPath, withMirrorLock } from "./git/mirror";
import { addWorktree, removeWorktree } from "./git/worktree";

export type Workspace = {
  /** Absolute path of the run's worktree. */
  path: string;
  mirror: string;
  branch: string;
  baseBranch: string;
  baseSha: string;
  /**
   * Paths the run's sandbox shows read-only at the same place (e.g. an object store the run's
   * repository borrows from); everything else outside `path` is invisible to the run.
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
   * Resume the run at a checkpoint commit. On a machine whose mirror lacks it, the branch is
   * restored from the run's bundle (saved in Redis by the job process that made it).
   */
  resumeAt?: {
    headSha: string;
    baseSha: string;
    loadBundle(): Promise<{ bundle: Buffer; meta: BundleMeta } | null>;
  };
};

// Remote URLs git may be given. A local path (or file://) reads this machine's disk, so it is
// accepted only where the install allows local repositories (development, tests).
const REMOTE_URL = /^(https?:\/\/|ssh:\/\/|git:\/\/|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:)/;

export function checkRepoUrl(url: string, allowLocalRepos: boolean): void {
  if (url.startsWith("-")) throw new PermanentRunError(`repository URL "${url}" is not valid`);
  if (!REMOTE_URL.test(url) && !allowLocalRepos) {
    throw new PermanentRunError(
      `repository URL "${url}" is a local path; set ALLOW_LOCAL_REPOS=1 to allow local repositories`,
    );
  }
}

/**
 * The run's workspace: fetch the repository's mirror (created on first use), then a worktree
 * on the run's branch at the base branch's head. Fetch and worktree creation hold the mirror's
 * lock together, so a concurrent fetch cannot move the base between the two.
 */
export async function prepareWorkspace(options: PrepareWorkspaceOptions): Promise<Workspace> {
  const { dataDir, runId, repo, branch, baseBranch, credential, signal, resumeAt } = options;
  checkRepoUrl(repo.url, options.allowLocalRepos);
  return withMirrorLock(mirrorPath(dataDir, repo.url), async () => {
    const mirror = await updateMirror({ dataDir, url: repo.url, repoName: repo.name, credential, signal });
    if (resumeAt && !(await hasCommit(mirror, resumeAt.headSha))) {
      const saved = await resumeAt.loadBundle();
      if (!saved) {
        throw new PermanentRunError(
          `the run's checkpoint commit ${resumeAt.headSha} is not on this machine and the run has no saved bundle`,
        );
      }
      await restoreBranch({ gitDir: mirror, ...saved });
    }
    const startAt = resumeAt ? { commit: resumeAt.headSha, baseSha: resumeAt.baseSha } : undefined;
    const { path, baseSha } = await addWorktree({ dataDir, mirror, runId, branch, baseBranch, signal, startAt });
    return { path, mirror, branch, baseBranch, baseSha, readOnlyPaths: [] };
  });
}

export async function releaseWorkspace(workspace: Workspace): Promise<void> {
  await removeWorktree(workspace.mirror, workspace.path);
}
