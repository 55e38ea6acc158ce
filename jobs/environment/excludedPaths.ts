import { constants as fsConstants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { treeGitOptions, type AttemptTree } from "../git/attempt";
import { runGit } from "../git/exec";
import { pathRecord } from "./pathRecord";

/**
 * What the environment put into the workspace (the setup's outputs, e.g. `node_modules`, and
 * its secret files) never belongs to the run's changes. `info/exclude` keeps them out of the
 * platform's `git add --all`, but a repository's own `.gitignore` outranks it (`!node_modules`),
 * so the run's repository also records the paths, and every commit of the run stages with
 * `:(exclude)` pathspecs for them, which no ignore file can undo. The record lives in the run's
 * repository, which nothing the run executes can write. (Exclude pathspecs on `git add` itself
 * would fail on a path that is also ignored, so the staged paths are taken out again instead.)
 */
const environmentPaths = pathRecord("agentdesk-environment-paths", "environment paths");

/** Adds paths (relative to the workspace) to the run's record. */
export async function recordExcludedPaths(gitDir: string, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  const have = await environmentPaths.read(gitDir);
  await environmentPaths.write(gitDir, [...new Set([...have, ...paths])]);
}

export const readExcludedPaths = (gitDir: string): Promise<string[]> => environmentPaths.read(gitDir);

/**
 * Takes the recorded paths (and anything under them) out of the attempt's index after
 * `git add --all`, literally (a path named `*.log` is itself only). They were untracked when
 * recorded (the setup's new files, secret files refused when tracked), so this only undoes
 * their staging.
 */
export async function unstageExcludedPaths(tree: Pick<AttemptTree, "gitDir" | "workspace" | "indexFile">): Promise<void> {
  const paths = await readExcludedPaths(tree.gitDir);
  if (paths.length === 0) return;
  await runGit(["rm", "-r", "-q", "--cached", "--ignore-unmatch", "--pathspec-from-file=-", "--pathspec-file-nul"], {
    ...treeGitOptions(tree, { GIT_LITERAL_PATHSPECS: "1" }),
    input: paths.join("\0"),
  });
}

/**
 * Writes the same patterns into the run's own `.git/info/exclude` in the workspace, so the
 * agent's `git status` does not list the environment's outputs and secret files as new files
 * to deal with. A convenience only (the platform never reads that `.git`); written without
 * following a symlink, since the setup, which ran the repository's code, could have planted one.
 */
export async function excludeInAgentGit(workspace: string, patterns: readonly string[]): Promise<void> {
  if (patterns.length === 0) return;
  const gitDir = path.join(workspace, ".git");
  const isRealDir = async (p: string) => (await fs.lstat(p).catch(() => null))?.isDirectory() === true;
  if (!(await isRealDir(gitDir))) return;
  const info = path.join(gitDir, "info");
  await fs.mkdir(info).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== "EEXIST") throw e;
  });
  if (!(await isRealDir(info))) return;
  const { O_WRONLY, O_CREAT, O_APPEND, O_NOFOLLOW } = fsConstants;
  const handle = await fs.open(path.join(info, "exclude"), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0o644).catch(() => null);
  if (!handle) return;
  try {
    await handle.appendFile(`# AgentDesk: what the repository's environment put here\n${patterns.join("\n")}\n`);
  } finally {
    await handle.close();
  }
}
