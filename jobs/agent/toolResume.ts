import type { ToolResultBlock, ToolUseBlock } from "./conversation";
import { runToolStep, type ToolStepContext } from "./toolStep";
import { agentTools } from "./tools";
import { isMcpToolName } from "../mcp/mcpTools";

/**
 * Crash resume per tool call. The loop records in the run's checkpoint each call's start
 * (once it is cleared to run, before it runs) and each call's completion (its result, with
 * the workspace as the call left it), so a job process that dies in the middle of a turn
 * leaves an exact record of how far the turn got. The job process that resumes the run:
 *
 * - never runs a completed call again, nor asks the model the same turn again: the recorded
 *   results go to the model;
 * - does not run again the call that was running: it may have had effects a second run
 *   would repeat (an append, a migration, a request to a server). The model is told the call
 *   was interrupted, and decides what to do;
 * - except calls that change nothing (changesNothing), which simply run again; `ask_human`
 *   asks the same request, which finds an answer given meanwhile. An MCP tool's call is never
 *   taken to change nothing, whatever its server says of it.
 *
 * The workspace comes back as the last completed call left it: what the interrupted call
 * changed in it is gone, and the model is told so.
 */

/**
 * Whether a call cannot change anything: read-only tools, `ask_human` (it only talks to the
 * person), and calls whose tool or input is invalid (nothing of them runs). Such a call runs
 * again after a crash, and its completion is saved without asking git about the worktree.
 */
export function changesNothing(call: Pick<ToolUseBlock, "name" | "input">): boolean {
  // What an MCP tool does is up to its server (a write, a request to another system): never run again.
  if (isMcpToolName(call.name)) return false;
  const tool = agentTools.find((t) => t.name === call.name);
  if (!tool || !tool.input.safeParse(call.input).success) return true;
  return tool.kind === "read" || tool.kind === "ask";
}

export const INTERRUPTED_OUTPUT =
  "Interrupted: the job process running this call stopped (it was shut down, killed or crashed) before the call " +
  "finished, and the run was resumed by another job process. The call was not run again. Its changes to the workspace were " +
  "not kept: the workspace is as it was before this call. Anything it did outside the workspace may or may not " +
  "have happened. Check the state before you decide to run it again.";

/**
 * The call that was running when the previous job process died (its start is recorded, its
 * result is not): run again when that changes nothing, else finished as interrupted in the
 * feed and for the model.
 */
export async function resumeInterruptedCall(
  call: ToolUseBlock,
  step: ToolStepContext,
  recordStart: () => Promise<void>,
): Promise<ToolResultBlock> {
  if (changesNothing(call)) return runToolStep(call, step, recordStart);
  await step.emit({
    type: "log",
    level: "warn",
    message: `tool call ${call.id} (${call.name}) was running when the previous job process stopped; it is not run again, the agent is told it was interrupted`,
  });
  await step.emit({ type: "tool.finished", callId: call.id, ok: false, output: INTERRUPTED_OUTPUT, durationMs: 0 });
  return { type: "tool_result", tool_use_id: call.id, content: INTERRUPTED_OUTPUT, is_error: true };
}
