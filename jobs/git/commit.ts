import type { RunJobPayload } from "../../lib/queue";
import { unstageExcludedPaths } from "../environment/excludedPaths";
import { refuseStagedSecretFiles } from "../environment/secretFiles";
import { treeGitOptions, type AttemptTree } from "./attempt";
import { gitSucceeds, runGit } from "./exec";

const MAX_SUBJECT = 72;

/** The commit subject: the first line of the prompt (or the command), capped. */
export function commitMessage(payload: Pick<RunJobPayload, "runId" | "prompt" | "command">): string {
  const source = [payload.prompt, payload.command ?? ""].find((s) => s.trim().length > 0) ?? "";
  const firstLine = source.trim().split("\n")[0]!.trim();
  const subject =
    firstLine.length === 0
      ? `AgentDesk run ${payload.runId}`
      : firstLine.length > MAX_SUBJECT
        ? `${firstLine.slice(0, MAX_SUBJECT - 1)}…`
        : firstLine;
  return `${subject}\n\nAgentDesk-Run: ${payload.runId}\n`;
}

/**
 * Where the run's branch is, as this attempt last put it, and how to move it. Moving is a
 * compare-and-swap: it fails when the branch is no longer at `head` (another attempt of the
 * run moved it), so an attempt never builds on, or overwrites, work it did not make.
 */
export type BranchTip = {
  branch: string;
  head: string;
  move(next: string, prev: string): Promise<void>;
};

/** A tip at the branch's current head, moved with a plain compare-and-swap `update-ref`. */
export async function branchTipAtHead(gitDir: string): Promise<BranchTip> {
  const ref = (await runGit(["symbolic-ref", "HEAD"], { gitDir })).stdout.trim();
  const head = (await runGit(["rev-parse", "--verify", "HEAD"], { gitDir })).stdout.trim();
  return {
    branch: ref.replace(/^refs\/heads\//, ""),
    head,
    move: async (next, prev) => void (await runGit(["update-ref", "--no-deref", ref, next, prev], { gitDir })),
  };
}

export type CommitOptions = {
  tree: Pick<AttemptTree, "gitDir" | "workspace" | "indexFile">;
  author: { name: string; email: string };
  message: string;
  /** The branch to commit on (default: the repository's HEAD branch where it is now). */
  tip?: BranchTip;
  /** The new commit's parent (default: the tip's head); the base, to fold earlier commits in. */
  parent?: string;
};

/**
 * Commits everything in the workspace (new, changed, deleted files) on the run's branch, in
 * the run's own repository: `--git-dir`/`--work-tree` name it, so the `.git` inside the
 * workspace is never read (and git never adds a path named `.git`). Author and committer are
 * AgentDesk's configured identity; no hook runs (the commit is made with `commit-tree`). The
 * branch moves by compare-and-swap from where this attempt left it (BranchTip). Returns the
 * branch head afterwards; `committed` is false when there was nothing to commit. Throws
 * (nothing committed) when one of the environment's secret files is staged.
 */
export async function commitAll({ tree, author, message, tip: given, parent: parentGiven }: CommitOptions): Promise<{
  headSha: string;
  committed: boolean;
}> {
  const tip = given ?? (await branchTipAtHead(tree.gitDir));
  const parent = parentGiven ?? tip.head;
  await stageWorkspace(tree);
  const treeSha = await writeIndexTree(tree);
  const next = treeSha === (await treeOf(tree.gitDir, parent)) ? parent : await commitTree(tree.gitDir, { treeSha, parent, author, message });
  await moveTip(tip, next);
  return { headSha: tip.head, committed: next !== parent };
}

/**
 * Stages everything in the workspace (new, changed, deleted files) into the attempt's index,
 * except what the environment put there (its outputs and secret files, whatever the workspace's
 * .gitignore says: environment/excludedPaths.ts). Throws when a secret file would be staged.
 */
export async function stageWorkspace(tree: Pick<AttemptTree, "gitDir" | "workspace" | "indexFile">): Promise<void> {
  await runGit(["add", "--all"], treeGitOptions(tree));
  await unstageExcludedPaths(tree);
  // The environment's secret files never reach a commit, whatever the workspace's .gitignore says.
  await refuseStagedSecretFiles(tree);
}

/** The tree object of the attempt's index. */
export async function writeIndexTree(tree: Pick<AttemptTree, "gitDir" | "workspace" | "indexFile">): Promise<string> {
  return (await runGit(["write-tree"], treeGitOptions(tree))).stdout.trim();
}

/** The tree of a commit. */
export async function treeOf(gitDir: string, commit: string): Promise<string> {
  return (await runGit(["rev-parse", "--verify", "--end-of-options", `${commit}^{tree}`], { gitDir })).stdout.trim();
}

/** A commit of `treeSha` on `parent` by AgentDesk's identity (`commit-tree`: no hook runs). */
export async function commitTree(
  gitDir: string,
  { treeSha, parent, author, message }: { treeSha: string; parent: string; author: { name: string; email: string }; message: string },
): Promise<string> {
  const identity = {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  };
  return (await runGit(["commit-tree", treeSha, "-p", parent, "-F", "-"], { gitDir, env: identity, input: message })).stdout.trim();
}

/** Moves the branch to `next` from where this attempt left it (compare-and-swap), unless it is there. */
export async function moveTip(tip: BranchTip, next: string): Promise<void> {
  if (next === tip.head) return;
  await tip.move(next, tip.head);
  tip.head = next;
}

/** Whether the trees of two commits differ (a command may commit itself, or revert its work). */
export async function treesDiffer(gitDir: string, baseSha: string, headSha: string): Promise<boolean> {
  return !(await gitSucceeds(["diff", "--quiet", "--no-ext-diff", baseSha, headSha, "--"], { gitDir }));
}
