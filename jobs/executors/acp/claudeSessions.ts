import path from "node:path";
import { readSessionFiles, restoreSessionFiles, CONFIG_FOLDER } from "../claudeCode/session";
import type { AcpState } from "./state";

/**
 * claude-agent-acp keeps its sessions where Claude Code does: the transcript in the config
 * folder under the sandbox's HOME, which ends with the delivery. To let a reviewer's "request
 * changes" load the session, its files travel with the run's state, as the claude-code
 * executor carries its own (jobs/executors/claudeCode/session.ts: read confined and capped,
 * since a sandboxed process wrote them). Other agents keep theirs their own way: they get a
 * new session told the task instead.
 */

/** The name claude-agent-acp gives itself in `initialize`. */
export const CLAUDE_AGENT_ACP = "@agentclientprotocol/claude-agent-acp";

const configDir = (homeHost: string) => path.join(homeHost, CONFIG_FOLDER);

/** The session's files, or null (with why) when they cannot be read. */
export async function saveClaudeSession(homeHost: string, sessionId: string, cwd: string): Promise<{ saved: AcpState["claudeSession"] } | { error: string }> {
  try {
    return { saved: { cwd, files: await readSessionFiles(configDir(homeHost), sessionId, cwd) } };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Puts saved session files into a new sandbox's HOME, before the agent starts. */
export async function restoreClaudeSession(homeHost: string, saved: NonNullable<AcpState["claudeSession"]>, cwd: string): Promise<void> {
  await restoreSessionFiles(configDir(homeHost), saved, cwd);
}
