import path from "node:path";
import type { ToolUseBlock } from "./conversation";
import { runToolStep, type ToolStepContext, type ToolStepOutcome } from "./toolStep";
import { agentTools } from "./tools";
import { isMcpToolName } from "../mcp/mcpTools";

/**
 * Crash resume per tool call. The loop records in the run's checkpoint each call's completion
 * (its result, with the workspace as the call left it), and the start of each call with
 * effects beyond the workspace (once it is cleared to run, before it runs), so a job process
 * that dies in the middle of a turn leaves an exact record of how far the turn got. The job
 * process that resumes the run:
 *
 * - never runs a call again whose completion is recorded, nor asks the model the same turn
 *   again: the recorded results go to the model;
 * - does not run again a call with effects beyond the workspace that was running: a second
 *   run could repeat them (an append, a migration, a request to a server). The model is told
 *   the call was interrupted, and decides what to do;
 * - runs again any other call (safeToRunAgain): it changes nothing, or only the workspace,
 *   which comes back as the last recorded completion left it, so running it again is running
 *   it as the first time. Such calls need no start record, and their completions may be saved
 *   in the background (only the order of the saves matters, not when they land): a crash
 *   leaves the last completion written, and the run goes on from there. `ask_human` asks the
 *   same request, which finds an answer given meanwhile. An MCP tool's call is never taken to
 *   be safe, whatever its server says of it.
 *
 * The workspace comes back as the last recorded completion left it: what the interrupted call
 * changed in it is gone, and the model is told so.
 */

/**
 * Whether a call cannot change anything: read-only tools, `ask_human` (it only talks to the
 * person), and calls whose tool or input is invalid (nothing of them runs). Its completion is
 * saved without asking git about the worktree.
 */
export function changesNothing(call: Pick<ToolUseBlock, "name" | "input">): boolean {
  // What an MCP tool does is up to its server (a write, a request to another system): never run again.
  if (isMcpToolName(call.name)) return false;
  const tool = agentTools.find((t) => t.name === call.name);
  if (!tool || !tool.input.safeParse(call.input).success) return true;
  return tool.kind === "read" || tool.kind === "ask";
}

/** Whether a call's only effects are on the workspace (or none): run again after a crash, no start record. */
export function safeToRunAgain(call: Pick<ToolUseBlock, "name" | "input">): boolean {
  if (changesNothing(call)) return true;
  if (isMcpToolName(call.name)) return false;
  return agentTools.find((t) => t.name === call.name)?.kind === "write";
}

/**
 * Files whose change changes how git reads every other file (what is ignored, how content is
 * converted). A file tool writing one is saved by a scan of the workspace, before anything
 * else runs: a background save must not see them change under it.
 */
const GIT_RULE_FILES = new Set([".gitignore", ".gitattributes"]);

/**
 * How the loop saves a call: `outside` (effects beyond the workspace): its start is recorded
 * and its completion saved by a scan before anything else runs; `rules` (a file tool on a
 * git rule file): saves pending are written before it runs, its completion by a scan;
 * `workspace`: its completion is saved in the background, from what it wrote.
 */
export function callSaving(call: Pick<ToolUseBlock, "name" | "input">): "outside" | "rules" | "workspace" {
  if (!safeToRunAgain(call)) return "outside";
  const target = call.input && typeof call.input === "object" && "path" in call.input ? call.input.path : null;
  if (!changesNothing(call) && typeof target === "string" && GIT_RULE_FILES.has(path.posix.basename(target))) return "rules";
  return "workspace";
}

export const INTERRUPTED_OUTPUT =
  "Interrupted: the job process running this call stopped (it was shut down, killed or crashed) before the call " +
  "finished, and the run was resumed by another job process. The call was not run again. Its changes to the workspace were " +
  "not kept: the workspace is as it was before this call. Anything it did outside the workspace may or may not " +
  "have happened. Check the state before you decide to run it again.";

/**
 * The call that was running when the previous job process died (its start is recorded, its
 * result is not): run again when that is safe, else finished as interrupted in the
 * feed and for the model.
 */
export async function resumeInterruptedCall(
  call: ToolUseBlock,
  step: ToolStepContext,
  recordStart: () => Promise<void>,
): Promise<ToolStepOutcome> {
  if (safeToRunAgain(call)) return runToolStep(call, step, recordStart);
  await step.emit({
    type: "log",
    level: "warn",
    message: `tool call ${call.id} (${call.name}) was running when the previous job process stopped; it is not run again, the agent is told it was interrupted`,
  });
  await step.emit({ type: "tool.finished", callId: call.id, ok: false, output: INTERRUPTED_OUTPUT, durationMs: 0 });
  return { block: { type: "tool_result", tool_use_id: call.id, content: INTERRUPTED_OUTPUT, is_error: true }, written: [] };
}
