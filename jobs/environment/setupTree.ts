import fs from "node:fs/promises";
import path from "node:path";
import { checkOut, treeGitOptions, type AttemptTree } from "../git/attempt";
import { runGit } from "../git/exec";
import { untrackedPaths } from "./cache";

/**
 * The tree an environment is made in. Usually the run's fresh workspace itself (a checkout of
 * the base commit nobody has touched yet). A delivery that resumes the run on its own commits
 * (crash resume, a reviewer's follow-up) makes it in a fresh checkout of the base beside the
 * workspace instead: neither the setup (with its hosts and variables) nor the cache ever sees
 * what the run changed, so a run cannot plant anything in the environment of later runs.
 */
export type SetupTree = Pick<AttemptTree, "gitDir" | "workspace" | "indexFile">;

/** A checkout of `baseSha` in `<attemptDir>/environment-base/` with its own index. */
export async function checkoutBaseTree(attempt: Pick<AttemptTree, "dir" | "gitDir">, baseSha: string, signal?: AbortSignal): Promise<AttemptTree> {
  const dir = path.join(attempt.dir, "environment-base");
  await fs.rm(dir, { recursive: true, force: true });
  const tree: AttemptTree = { dir, gitDir: attempt.gitDir, workspace: path.join(dir, "workspace"), indexFile: path.join(dir, "index") };
  await fs.mkdir(tree.workspace, { recursive: true });
  await checkOut(tree, baseSha, signal);
  return tree;
}

/**
 * Puts tracked files a script changed back as they were checked out, and returns their paths.
 * An environment's output never becomes part of the run's changes: a cached run would not
 * have them, and the reviewer's diff would show them.
 */
export async function revertTrackedChanges(tree: SetupTree, signal?: AbortSignal): Promise<string[]> {
  const git = { ...treeGitOptions(tree), signal };
  // Refreshes the stat data first (a file merely touched is not a change). Exit 1: changes exist.
  await runGit(["update-index", "-q", "--refresh"], git).catch(() => undefined);
  const { stdout } = await runGit(["diff-files", "--name-only", "-z", "--no-renames"], git);
  const changed = stdout.split("\0").filter((p) => p.length > 0);
  if (changed.length === 0) return [];
  // git replaces whatever is there (a folder, a symlink) and never writes through a symlinked parent.
  await runGit(["checkout-index", "--force", "--quiet", "-z", "--stdin"], { ...git, input: changed.map((p) => `${p}\0`).join("") });
  return changed;
}

/** Removes everything git does not track (what a failed maintenance left), never following a symlink. */
export async function removeUntracked(tree: SetupTree, signal?: AbortSignal): Promise<void> {
  for (const relative of await untrackedPaths(tree, signal)) {
    await fs.rm(path.join(tree.workspace, relative), { recursive: true, force: true });
  }
}
