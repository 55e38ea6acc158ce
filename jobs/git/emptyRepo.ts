import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathExists } from "../fsUtil";
import { runGit } from "./exec";

/**
 * An empty repository of this process, for git commands that only look at a run's files
 * (`git --git-dir=<this> --work-tree=<workspace> grep --untracked`): git then never looks for,
 * nor reads, the `.git` a run may have written in its workspace (its config could set
 * core.worktree to another folder, an fsmonitor program, includes…).
 */
let emptyRepo: Promise<string> | undefined;

export async function emptyGitDir(): Promise<string> {
  // Made again if something removed it from the temporary folder.
  if (emptyRepo && !(await pathExists(await emptyRepo.catch(() => "")))) emptyRepo = undefined;
  emptyRepo ??= (async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-empty-"));
    const gitDir = path.join(dir, "empty.git");
    await runGit(["init", "--quiet", "--bare", "--template=", "--", gitDir]);
    return gitDir;
  })();
  emptyRepo.catch(() => {
    emptyRepo = undefined;
  });
  return emptyRepo;
}
