import fs from "node:fs/promises";
import path from "node:path";
import { runGit } from "./exec";
import { writeAlternates } from "./platformRepo";

/**
 * The `.git` a run sees in its workspace, for its own convenience (`git status`, `git diff`,
 * `git log` work as in any clone): a fresh repository on the run's branch whose objects are
 * borrowed, read-only, from the run's repository (which borrows the mirror's). The run may
 * change it at will: the platform never reads it (its commands name the run's repository with
 * --git-dir, and git never adds a path named `.git`), and it goes with the attempt's folder.
 */
export type AgentGitDirOptions = {
  workspace: string;
  /** The run's repository; its objects (and, through it, the mirror's) are borrowed. */
  runRepo: string;
  branch: string;
  headSha: string;
  baseBranch: string;
  baseSha: string;
  /** The index the platform's checkout wrote: same files, so `git status` starts clean. */
  checkoutIndex: string;
};

export async function createAgentGitDir(o: AgentGitDirOptions): Promise<string> {
  const gitDir = path.join(o.workspace, ".git");
  await runGit(["init", "--quiet", "--template=", "--", o.workspace]);
  await writeAlternates(gitDir, [path.join(o.runRepo, "objects")]);
  await runGit(["update-ref", `refs/heads/${o.branch}`, o.headSha], { gitDir });
  await runGit(["symbolic-ref", "HEAD", `refs/heads/${o.branch}`], { gitDir });
  await runGit(["update-ref", `refs/remotes/origin/${o.baseBranch}`, o.baseSha], { gitDir });
  await fs.copyFile(o.checkoutIndex, path.join(gitDir, "index"));
  return gitDir;
}

/** What the run's own git must be able to read, and nothing it could write: the object stores. */
export function borrowedObjectDirs(runRepo: string, mirror: string): string[] {
  return [path.join(runRepo, "objects"), path.join(mirror, "objects")];
}
