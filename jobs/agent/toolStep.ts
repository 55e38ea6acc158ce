import { errorMessage } from "../errors";
import { RunSuspended } from "../input/suspension";
import type { RequestInput, RunEmit } from "../executors/types";
import type { McpToolbox } from "../mcp/toolbox";
import type { SandboxSpec } from "../sandbox/spec";
import { CommandOutput } from "../output";
import { gateToolCall, type ApprovalSettings } from "./approvalGate";
import type { ToolResultBlock, ToolUseBlock } from "./conversation";
import { agentTools, runTool, type HumanReply, type ToolResult } from "./tools";
import type { WrittenFile } from "../git/knownFiles";
import { isMcpToolName } from "../mcp/mcpTools";

/** What the feed shows of a tool's output; the model gets up to MODEL_OUTPUT_CHARS. */
export const EVENT_OUTPUT_CHARS = 8 * 1024;
export const MODEL_OUTPUT_CHARS = 100 * 1024;

export type ToolStepContext = {
  emit: RunEmit;
  workspace: string;
  sandbox: SandboxSpec;
  signal: AbortSignal;
  secrets: readonly string[];
  approval: ApprovalSettings;
  /** Asks the run's owner (an approval, or the agent's question), saving the run's progress first. */
  ask: RequestInput;
  /** The run's MCP servers, when it has any. */
  mcp?: McpToolbox;
};

/**
 * Whether a tool's own output left part of what it printed out: a command's output keeps its
 * head and tail. A read tool's partial result (more lines, more matches, more entries) is not
 * cut output: it is all there, and says itself how to read on. The feed's "output was cut"
 * note follows `tool.finished.truncated`, so it must not say so under complete output.
 */
function outputWasCut(tool: string, result: ToolResult): boolean {
  return Boolean(result.truncated) && agentTools.find((t) => t.name === tool)?.kind !== "read";
}

/** A finished tool call: its result for the conversation, and the files it wrote (file tools). */
export type ToolStepOutcome = { block: ToolResultBlock; written: WrittenFile[] };

/**
 * One tool call of the model, as the feed and the model see it: the approval step (which may
 * wait for a person), `tool.started` with the input that actually runs, the shell's output
 * live as `log` events, `tool.finished` with the (capped) output and duration, and the
 * `tool_result` block for the conversation (`is_error` when the call failed or was blocked,
 * so the model can correct itself). `recordStart` runs once the call is cleared to run, before
 * anything of it runs or is shown (crash resume: toolResume.ts).
 */
export async function runToolStep(
  call: ToolUseBlock,
  ctx: ToolStepContext,
  recordStart: () => Promise<void> = async () => {},
): Promise<ToolStepOutcome> {
  // A tool the run does not have runs nothing, so it asks nobody: the model is told it is unknown.
  const gate = isUnknownMcpTool(call.name, ctx.mcp) ? { run: true as const, input: call.input } : await gateToolCall(call, ctx.approval, ctx.ask);
  if (gate.run) await recordStart();
  const started = Date.now();
  await ctx.emit({ type: "tool.started", callId: call.id, tool: call.name, input: gate.run ? gate.input : call.input });
  if (!gate.run) {
    await ctx.emit({ type: "tool.finished", callId: call.id, ok: false, output: gate.output, durationMs: 0 });
    return { block: { type: "tool_result", tool_use_id: call.id, content: gate.output, is_error: true }, written: [] };
  }
  const live = new CommandOutput(ctx.emit, call.id, ctx.secrets);
  let result: ToolResult;
  try {
    result = await runTool(call.name, gate.input, {
      workspace: ctx.workspace,
      sandbox: ctx.sandbox,
      signal: ctx.signal,
      secrets: ctx.secrets,
      onOutput: (stream, text) => live.push(stream, Buffer.from(text, "utf8")),
      askHuman: (question) => askQuestion(ctx.ask, call.id, question),
      mcp: ctx.mcp,
    });
  } catch (e) {
    await live.end();
    // Suspended while the tool asks a person: the step is not over; the resumed run finishes it.
    if (e instanceof RunSuspended) throw e;
    // The tools turn every model mistake into a result; what reaches here is a stop of the
    // run or a bug. The feed still gets a finished step, then the run ends with the error.
    await ctx.emit({
      type: "tool.finished",
      callId: call.id,
      ok: false,
      output: ctx.signal.aborted ? "stopped" : `internal error: ${errorMessage(e)}`,
      durationMs: Date.now() - started,
    });
    throw e;
  }
  await live.end();
  const shown = capText(result.output, EVENT_OUTPUT_CHARS, "shown here; the model received more");
  await ctx.emit({
    type: "tool.finished",
    callId: call.id,
    ok: result.ok,
    output: shown.text,
    durationMs: Date.now() - started,
    truncated: shown.cut || outputWasCut(call.name, result),
    ...(result.fileChange ? { fileChange: result.fileChange } : {}),
  });
  const forModel = capText(result.output, MODEL_OUTPUT_CHARS, "cut; narrow the request to see them");
  // The API refuses an empty text result; an empty output is still an answer.
  const output = forModel.text.length > 0 ? forModel.text : "(no output)";
  return {
    block: {
      type: "tool_result",
      tool_use_id: call.id,
      content: gate.notice ? `${gate.notice}\n\n${output}` : output,
      ...(result.ok ? {} : { is_error: true }),
    },
    written: result.written ?? [],
  };
}

const isUnknownMcpTool = (name: string, mcp: McpToolbox | undefined) => isMcpToolName(name) && !mcp?.has(name);

/** The request id of an `ask_human` call's question: the same call (a resumed run) asks the same request. */
export const questionRequestId = (callId: string) => `question-${callId}`;

async function askQuestion(ask: RequestInput, callId: string, question: string): Promise<HumanReply> {
  const answer = await ask({ requestId: questionRequestId(callId), kind: "question", tool: "ask_human", question });
  if ("answer" in answer) return { answer: answer.answer, by: answer.by };
  if ("timedOut" in answer) return { unanswered: answer.reason };
  throw new Error(`question ${questionRequestId(callId)} got an approval decision instead of an answer`);
}

/**
 * The head and tail of a long text with a note of how much of the middle was cut (the end
 * of a command's output is usually what matters, the start says what it was).
 */
export function capText(text: string, max: number, why: string): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  const head = text.slice(0, Math.floor(max / 2));
  const tail = text.slice(text.length - Math.floor(max / 2));
  const cut = text.length - head.length - tail.length;
  return { text: `${head}\n[… ${cut} characters ${why} …]\n${tail}`, cut: true };
}
