import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runTool, type ToolContext, type ToolResult } from "../../../jobs/agent/tools";
import { createTestRepo, git, type FileChanges, type TestRepo } from "../../support/gitRepo";

/**
 * A workspace like a run's: a `git worktree` (its `.git` is a file) of a clone of a real
 * repository, plus a folder outside it that attacks try to reach.
 */
export type ToolWorkspace = {
  /** The worktree's real path. */
  workspace: string;
  /** A folder outside the workspace, holding `secret.txt`. */
  outside: string;
  ctx(options?: Partial<ToolContext>): ToolContext;
  run(name: string, input: unknown, options?: Partial<ToolContext>): Promise<ToolResult>;
  remove(): Promise<void>;
};

export const OUTSIDE_SECRET = "outside-content-never-shown\n";

export async function createToolWorkspace(files: FileChanges = { "README.md": "# test\n" }): Promise<ToolWorkspace> {
  const repo: TestRepo = await createTestRepo({ files });
  const root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-tools-")));
  const workspace = path.join(root, "workspace");
  await git(repo.work, "worktree", "add", "-b", "agentdesk/test", workspace);
  const outside = path.join(root, "outside");
  await fs.mkdir(outside);
  await fs.writeFile(path.join(outside, "secret.txt"), OUTSIDE_SECRET);

  const ctx = (options: Partial<ToolContext> = {}): ToolContext => ({
    workspace,
    sandbox: { workspace, readOnlyPaths: [], networkHosts: [] },
    signal: new AbortController().signal,
    secrets: [],
    ...options,
  });
  return {
    workspace,
    outside,
    ctx,
    run: (name, input, options) => runTool(name, input, ctx(options)),
    async remove() {
      await git(repo.work, "worktree", "remove", "--force", workspace);
      await fs.rm(root, { recursive: true, force: true });
      await repo.remove();
    },
  };
}
