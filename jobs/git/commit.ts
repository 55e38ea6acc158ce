import type { RunJobPayload } from "../../lib/queue";
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

export type CommitOptions = {
  tree: Pick<AttemptTree, "gitDir" | "workspace" | "indexFile">;
  author: { name: string; email: string };
  message: string;
};

/**
 * Commits everything in the workspace (new, changed, deleted files) on the run's branch, in
 * the run's own repository: `--git-dir`/`--work-tree` name it, so the `.git` inside the
 * workspace is never read (and git never adds a path named `.git`). Author and committer are
 * AgentDesk's configured identity; hooks never run (`--no-verify`, and core.hooksPath is
 * disabled for every git command). Returns the branch head afterwards; `committed` is false
 * when there was nothing to commit.
 */
export async function commitAll({ tree, author, message }: CommitOptions): Promise<{
  headSha: string;
  committed: boolean;
}> {
  await runGit(["add", "--all"], treeGitOptions(tree));
  const clean = await gitSucceeds(["diff", "--cached", "--quiet", "--no-ext-diff"], treeGitOptions(tree));
  if (!clean) {
    await runGit(["commit", "--no-verify", "--quiet", "--file=-"], {
      ...treeGitOptions(tree, {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_COMMITTER_NAME: author.name,
        GIT_COMMITTER_EMAIL: author.email,
      }),
      input: message,
    });
  }
  const { stdout } = await runGit(["rev-parse", "--verify", "HEAD"], { gitDir: tree.gitDir });
  return { headSha: stdout.trim(), committed: !clean };
}

/** Whether the trees of two commits differ (a command may commit itself, or revert its work). */
export async function treesDiffer(gitDir: string, baseSha: string, headSha: string): Promise<boolean> {
  return !(await gitSucceeds(["diff", "--quiet", "--no-ext-diff", baseSha, headSha, "--"], { gitDir }));
}
