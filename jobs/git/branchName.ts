import { runJobPayload } from "../../lib/queue";
import { PermanentRunError } from "../errors";
import { GitError, runGit } from "./exec";

const branchPattern = runJobPayload.shape.branch;

/** Refuses a branch name git would not accept, or one outside our agentdesk/ namespace. */
export async function validateRunBranch(branch: string): Promise<void> {
  if (!branchPattern.safeParse(branch).success) {
    throw new PermanentRunError(`branch name "${branch}" is not an agentdesk/… branch name`);
  }
  await validateBranchName(branch);
}

/** `git check-ref-format --branch`; names starting with "-" would be read as options. */
export async function validateBranchName(branch: string): Promise<void> {
  if (branch.startsWith("-")) throw new PermanentRunError(`"${branch}" is not a valid branch name`);
  try {
    await runGit(["check-ref-format", "--branch", branch]);
  } catch (e) {
    if (e instanceof GitError) throw new PermanentRunError(`"${branch}" is not a valid branch name`, { cause: e });
    throw e;
  }
}
