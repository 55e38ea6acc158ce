import fs from "node:fs/promises";
import path from "node:path";

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
  /** Validated by the caller (validateRunBranch / validateBranchName): safe as a ref path. */
  branch: string;
  headSha: string;
  baseBranch: string;
  baseSha: string;
  /** The index the platform's checkout wrote: same files, so `git status` starts clean. */
  checkoutIndex: string;
};

// What `git init --template=` writes on Linux (git 2.39, files ref backend).
const CONFIG = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n";
// Reflog entries as `update-ref` writes them; the platform has no identity of its own here.
const REFLOG_IDENT = "AgentDesk <agentdesk@localhost>";

/**
 * Written with plain file writes, not `git init` + `update-ref` + `symbolic-ref` (four git
 * processes, ~30 ms of a workspace's preparation): the same files those commands leave,
 * reflogs included. Nothing here is read by the platform, so nothing here needs git's locking.
 */
export async function createAgentGitDir(o: AgentGitDirOptions): Promise<string> {
  const gitDir = path.join(o.workspace, ".git");
  const branchRef = `refs/heads/${o.branch}`;
  const baseRef = `refs/remotes/origin/${o.baseBranch}`;
  const reflog = (sha: string) => `${"0".repeat(sha.length)} ${sha} ${REFLOG_IDENT} ${Math.floor(Date.now() / 1000)} +0000\n`;
  // `mkdir` without `recursive` first: a `.git` already there (never expected) is an error, not merged into.
  await fs.mkdir(gitDir);
  await Promise.all([
    fs.mkdir(path.join(gitDir, "objects", "pack"), { recursive: true }),
    fs.mkdir(path.join(gitDir, "objects", "info"), { recursive: true }),
    fs.mkdir(path.join(gitDir, "refs", "tags"), { recursive: true }),
  ]);
  await Promise.all([
    fs.writeFile(path.join(gitDir, "config"), CONFIG),
    fs.writeFile(path.join(gitDir, "HEAD"), `ref: ${branchRef}\n`),
    fs.writeFile(path.join(gitDir, "objects", "info", "alternates"), `${path.join(o.runRepo, "objects")}\n`),
    writeNew(path.join(gitDir, branchRef), `${o.headSha}\n`),
    writeNew(path.join(gitDir, baseRef), `${o.baseSha}\n`),
    writeNew(path.join(gitDir, "logs", branchRef), reflog(o.headSha)),
    writeNew(path.join(gitDir, "logs", baseRef), reflog(o.baseSha)),
    writeNew(path.join(gitDir, "logs", "HEAD"), reflog(o.headSha)),
    fs.copyFile(o.checkoutIndex, path.join(gitDir, "index")),
  ]);
  return gitDir;
}

async function writeNew(file: string, content: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content, { flag: "wx" });
}

/** What the run's own git must be able to read, and nothing it could write: the object stores. */
export function borrowedObjectDirs(runRepo: string, mirror: string): string[] {
  return [path.join(runRepo, "objects"), path.join(mirror, "objects")];
}
