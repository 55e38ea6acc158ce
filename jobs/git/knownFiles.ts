import path from "node:path";
import { readExcludedPaths } from "../environment/excludedPaths";
import { refuseStagedSecretFiles } from "../environment/secretFiles";
import { treeGitOptions, type AttemptTree } from "./attempt";
import { GitError, runGit } from "./exec";

/**
 * A file whose new content is known without reading the workspace: what a file tool wrote.
 * `path` is relative to the workspace, `/`-separated, with no symlink in it (the real path).
 */
export type WrittenFile = { path: string; content: Buffer; executable: boolean };

/**
 * Stages files whose content is known, exactly as `git add --all` would stage them, without
 * reading the workspace (which may already hold a later state): a path the ignore rules skip
 * (untracked and ignored) or one the environment put there (excludedPaths.ts) is not staged;
 * a staged secret file refuses (secretFiles.ts), nothing is committed. The content goes
 * through the path's attributes (`hash-object --path`) like a file `git add` reads.
 * The caller keeps the workspace's `.gitignore` and `.gitattributes` files as they were when
 * the files were written (the agent loop saves a change to one of them by a full scan).
 */
export async function stageKnownFiles(
  tree: Pick<AttemptTree, "gitDir" | "workspace" | "indexFile">,
  files: readonly WrittenFile[],
  /** Paths known to be in the index (staged by an earlier call): no ignore rule applies to them. Grows with what this call stages. */
  tracked: Set<string> = new Set(),
): Promise<void> {
  if (files.length === 0) return;
  const excluded = (await readExcludedPaths(tree.gitDir)).map(normalPath);
  const untracked = files.map((f) => f.path).filter((p) => !tracked.has(p));
  const ignored = untracked.length > 0 ? await ignoredPaths(tree, untracked) : new Set<string>();
  const staged = files.filter((f) => !ignored.has(f.path) && !excluded.some((e) => isAtOrUnder(f.path, e)));
  if (staged.length === 0) return;
  const entries: string[] = [];
  for (const file of staged) {
    const sha = (await runGit(["hash-object", "-w", "--stdin", `--path=${file.path}`], { ...treeGitOptions(tree), input: file.content.toString("utf8") })).stdout.trim();
    entries.push(`${file.executable ? "100755" : "100644"} ${sha}\t${file.path}`);
  }
  await runGit(["update-index", "-z", "--index-info"], { ...treeGitOptions(tree), input: entries.map((e) => `${e}\0`).join("") });
  await refuseStagedSecretFiles(tree);
  for (const file of staged) tracked.add(file.path);
}

/** The paths git's ignore rules skip (a tracked path never is: `add --all` stages it anyway). */
async function ignoredPaths(tree: Pick<AttemptTree, "gitDir" | "workspace" | "indexFile">, paths: readonly string[]): Promise<Set<string>> {
  try {
    const { stdout } = await runGit(["check-ignore", "-z", "--stdin"], { ...treeGitOptions(tree), input: paths.map((p) => `${p}\0`).join("") });
    return new Set(stdout.split("\0").filter(Boolean));
  } catch (e) {
    // Exit 1: none of them is ignored.
    if (e instanceof GitError && e.exitCode === 1) return new Set();
    throw e;
  }
}

const normalPath = (p: string) => path.posix.normalize(p).replace(/^(\.\/)+/, "").replace(/\/+$/, "");
const isAtOrUnder = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);

/** A tool's target as a path of the repository: relative to the workspace's real path, `/`-separated. */
export function repositoryPath(workspaceReal: string, real: string): string {
  return path.relative(workspaceReal, real).split(path.sep).join("/");
}
