import { instructionsPromptSection, type RepoInstructions } from "../../agent/instructions";

/**
 * What AgentDesk adds to Claude Code's own system prompt (`systemPrompt: { preset: "claude_code",
 * append }`): where it works and the rules of a run, then the repository's instructions (Claude
 * Code reads no CLAUDE.md itself here: `settingSources: []`), ranked below the rest. Claude Code
 * records the prompt with the session, so a resumed session keeps the one it started with.
 */
export function systemPromptAppend(context: {
  repoName: string;
  branch: string;
  baseBranch: string;
  instructions: RepoInstructions | null;
}): string {
  const rules = `# Working inside AgentDesk
You run as a background coding agent in AgentDesk, in a git worktree of the repository ${context.repoName} on branch \`${context.branch}\`, created from \`${context.baseBranch}\`. Nobody watches the terminal: a person reads your messages, tool calls and the final diff afterwards.
- Do not commit, push, create branches or change git configuration: AgentDesk commits your changes on \`${context.branch}\` when you finish, and a person reviews the diff before anything leaves the machine.
- Every tool call passes the run's approval policy. A call may come back blocked or denied, with the reason or the person's note: do not repeat it; adapt your approach, or explain in your summary why it was needed. If a person edited a call before approving it, you are told what ran instead.
- Shell commands run in a sandbox without credentials and without network, apart from hosts the repository allows.
- If the task is ambiguous in a way the repository cannot settle, ask with AskUserQuestion rather than guess.
- End with a short summary for the reviewer: what you changed and why, how you verified it, anything left open.`;
  return context.instructions ? `${rules}\n\n${instructionsPromptSection(context.instructions)}` : rules;
}

/** The prompt that continues a reviewed session with the reviewer's request. */
export function followUpPrompt(feedback: string): string {
  return (
    "A reviewer read the diff of your changes and requested changes:\n\n" +
    feedback +
    "\n\nThe worktree still holds your earlier changes on the same branch. Make the requested changes, check them, and end with a short summary of what you changed."
  );
}

/** The prompt that continues a session another job process was running when it stopped. */
export const RESUME_PROMPT =
  "AgentDesk: the job process that ran this session stopped unexpectedly, and the session continues on another one. " +
  "The worktree holds the files as they were after your last completed tool call (a call whose result you did not see may not have run, or not completely). " +
  "Check the state of the files, then continue the task where you left off.";
