import type Anthropic from "@anthropic-ai/sdk";
import type { ExecutorContext, ExecutorResult, RequestInput } from "../executors/types";
import { initialState, parseAgentState, type AgentState } from "./agentState";
import type { CheckpointOptions, CheckpointSaver } from "./checkpoint";
import type { ContentBlock, ToolUseBlock } from "./conversation";
import { loadRepoInstructions } from "./instructions";
import { mayGoOnPast } from "./limitQuestion";
import { checkLimits, checkRepeat, raiseLimit, type RunLimits } from "./limits";
import { budgetStop } from "../run/budgetWaitpoint";
import { LoopGuard } from "./loopGuard";
import type { McpToolbox } from "../mcp/toolbox";
import { streamTurn, type TurnResponse } from "./modelTurn";
import type { ResolvedPrice } from "./pricing";
import { ModelRequestError, retryMessage, withModelRetries, type RetryPolicy } from "./retry";
import { systemPrompt } from "./systemPrompt";
import { TextCoalescer } from "./textCoalescer";
import { callSaving, resumeInterruptedCall } from "./toolResume";
import { runToolStep, type ToolStepContext } from "./toolStep";
import { toolDefinitions, type ToolDefinition } from "./tools";
import { addTurnUsage, usageEvent } from "./usage";

export type AgentLoopOptions = {
  client: Anthropic;
  model: string;
  maxTokens: number;
  limits: RunLimits;
  price: ResolvedPrice;
  retry: RetryPolicy;
  textFlushMs: number;
};

/** The run's context as the loop uses it: the pipeline's, plus crash-resume hooks and the run's MCP servers. */
export type AgentRunContext = Pick<
  ExecutorContext,
  "payload" | "workspace" | "sandbox" | "emit" | "signal" | "secrets" | "followUp" | "requestInput" | "spending"
> & {
  checkpoint?: CheckpointSaver;
  resumeFrom?: { turn: number; state: unknown };
  /** Started by the executor for this run, stopped when it ends (jobs/mcp). */
  mcp?: McpToolbox;
};

/**
 * The agent: ask the model, run the tools it calls (each through the approval step), give it
 * the results, until it ends its turn without calling a tool (done) or a limit stops it and
 * the run's owner does not let it go on. One model request is one turn. The state is
 * checkpointed when each tool call completes and when one with effects beyond the workspace
 * starts, so a killed run continues from the call it was in (toolResume.ts); and before
 * waiting for a person, so a resumed run asks the same request again (and finds an answer
 * given meanwhile) instead of asking the model anew. Saves of calls that changed only known
 * files may land in the background; every save has landed when the loop returns.
 */
export async function runAgentLoop(options: AgentLoopOptions, ctx: AgentRunContext): Promise<ExecutorResult> {
  let result: ExecutorResult;
  try {
    result = await loopUntilDone(options, ctx);
  } catch (e) {
    // Saves still in the background land before the pipeline goes on (it may forget the run's
    // state, or commit on the same index and branch); their failure comes second to this one.
    await ctx.checkpoint?.flush?.().catch(() => undefined);
    throw e;
  }
  await ctx.checkpoint?.flush?.();
  return result;
}

async function loopUntilDone(options: AgentLoopOptions, ctx: AgentRunContext): Promise<ExecutorResult> {
  const { payload, emit, signal } = ctx;
  const state: AgentState = ctx.resumeFrom
    ? parseAgentState(ctx.resumeFrom.state)
    : ctx.followUp
      ? withFeedback(parseAgentState(ctx.followUp.state), ctx.followUp.feedback)
      : initialState(payload.prompt);
  const guard = new LoopGuard(state.loopCounts);
  const instructions = await loadRepoInstructions(ctx.workspace, emit);
  const system = systemPrompt({
    repoName: payload.repo.name,
    branch: payload.branch,
    baseBranch: payload.baseBranch,
    instructions,
    mcpServers: [...new Set(ctx.mcp?.tools.map((t) => t.server))],
  });
  const tools = toolDefinitions(ctx.mcp);
  const text = new TextCoalescer(emit, options.textFlushMs);
  const save = async (options?: CheckpointOptions) => {
    state.loopCounts = guard.snapshot();
    await ctx.checkpoint?.(state.turns, state, options);
  };
  const ask: RequestInput = async (request) => {
    // Mid-step, only the tools phase can be resumed exactly where it is; elsewhere the last
    // checkpoint leads back to the same request. Saved there, the run may give back its
    // worker while the person decides (jobs/input/suspension.ts).
    if (!state.pendingResults) {
      // The wait may give back the worker: the saves made in the background must have landed.
      await ctx.checkpoint?.flush?.();
      return ctx.requestInput(request);
    }
    await save();
    return ctx.requestInput(request, { resumable: ctx.checkpoint !== undefined });
  };
  const step: ToolStepContext = {
    emit,
    workspace: ctx.workspace,
    sandbox: ctx.sandbox,
    signal,
    secrets: ctx.secrets,
    approval: { mode: payload.approvalMode, rules: payload.approvalRules, remembered: state.remembered },
    ask,
    mcp: ctx.mcp,
  };
  if (options.price.note) await emit({ type: "log", level: "info", message: options.price.note });

  for (;;) {
    if (!state.pendingResults) {
      const answered = await modelTurn(options, ctx, state, system, tools, text);
      if ("ok" in answered) return answered;
      if (answered.kind === "continue") {
        const stop = await limitStop(options.limits, state, ask, ctx);
        if (stop) return stop;
        state.messages.push({ role: "user", content: answered.nudge });
        await save();
        continue;
      }
      // The tools phase starts before the limits are checked, so a limit question asked below
      // is resumable: a resumed run asks it again instead of asking the model again.
      state.pendingResults = [];
    }
    // Before the answer's calls run; a run resumed inside a step asks a pending question again.
    const stop = await limitStop(options.limits, state, ask, ctx);
    if (stop) return stop;

    const results = state.pendingResults;
    const calls = pendingCalls(state);
    // One after another: later calls of a turn may depend on earlier ones (write, then run).
    for (const call of calls.slice(results.length)) {
      // Counted once, even when a run resumed from a save made after counting (a person's
      // answer awaited, or the call started) goes through it again.
      if (state.countedCall !== call.id) {
        const stop = await repeatStop(options.limits, state, guard, call, ask);
        if (stop) return stop;
        guard.record(call.name, call.input);
        state.countedCall = call.id;
      }
      const saving = callSaving(call);
      const recordStart = async () => {
        if (saving === "outside") {
          // Saved before the call runs (the files are as the previous save left them): the
          // model's answer and which call is running, which a resumed run does not run again.
          state.runningCall = call.id;
          await save({ filesUnchanged: true });
        } else if (saving === "rules") {
          // The call changes how git reads the workspace: the saves still to land read it first.
          await ctx.checkpoint?.flush?.();
        }
      };
      const outcome =
        state.runningCall === call.id
          ? // The previous job process died while this call ran.
            await resumeInterruptedCall(call, step, recordStart)
          : await runToolStep(call, step, recordStart);
      results.push(outcome.block);
      state.runningCall = undefined;
      state.countedCall = undefined;
      if (results.length === calls.length) {
        state.messages.push({ role: "user", content: results });
        state.pendingResults = undefined;
      }
      // The call's result with the workspace it left: a call that only wrote known files (or
      // nothing) is saved in the background from what it wrote, any other by a scan, now.
      await (saving === "workspace" ? save({ written: outcome.written, background: true }) : save());
    }
  }
}

/**
 * One model request: streams its text to the feed, adds its usage and its answer to the
 * state. Returns what the loop does next, or the run's result when it ends here.
 */
async function modelTurn(
  options: AgentLoopOptions,
  ctx: AgentRunContext,
  state: AgentState,
  system: string,
  tools: ToolDefinition[],
  text: TextCoalescer,
): Promise<ExecutorResult | { kind: "tools" } | { kind: "continue"; nudge: string }> {
  const { emit, signal } = ctx;
  let response: TurnResponse;
  try {
    response = await withModelRetries(
      () =>
        streamTurn(
          options.client,
          { model: options.model, maxTokens: options.maxTokens, system, tools, messages: state.messages },
          { signal, onText: (delta, messageId) => text.push(delta, messageId) },
        ),
      {
        policy: options.retry,
        signal,
        model: options.model,
        onRetry: async (notice) => {
          await text.flush();
          await emit({ type: "log", level: "warn", message: retryMessage(notice) });
        },
      },
    );
  } catch (e) {
    await text.flush();
    if (e instanceof ModelRequestError && !signal.aborted) return { ok: false, error: e.message };
    throw e;
  }
  await text.flush();
  state.turns += 1;

  const { turn, totals } = addTurnUsage(state.usage, response.usage, options.price.price);
  state.usage = totals;
  state.lastTurnCostUsd = turn.costUsd;
  await emit(usageEvent(totals, state.turns));

  const content = conversationBlocks(response.content);
  const calls = content.filter((b) => b.type === "tool_use").length;
  if (content.length > 0) state.messages.push({ role: "assistant", content });

  const next = nextStep(response.stopReason, calls, options.maxTokens);
  if (next.kind === "done") return { ok: true, state };
  if (next.kind === "fail") return { ok: false, error: next.error };
  return next;
}

/** The tool calls of the model's last answer. */
function pendingCalls(state: AgentState): ToolUseBlock[] {
  const last = state.messages[state.messages.length - 1];
  if (last?.role !== "assistant" || typeof last.content === "string") {
    throw new Error("the agent state has pending tool results but its last message is not the model's tool calls");
  }
  return last.content.filter((b): b is ToolUseBlock => b.type === "tool_use");
}

/**
 * The turn limit and budget, then the team's spending limits, before the answer's calls run
 * (and so before the next model call): null to go on (a person may have raised a limit), or the
 * run's failed result. The request ids come from the conversation's length, which a resumed
 * run reaches again with the same answer pending.
 */
async function limitStop(limits: RunLimits, state: AgentState, ask: RequestInput, ctx: AgentRunContext): Promise<ExecutorResult | null> {
  const now = { turns: state.turns, costUsd: state.usage.costUsd };
  const stop = checkLimits(now, limits, state.raisedLimits);
  if (stop) {
    if (!(await mayGoOnPast(stop, `${stop.kind}-m${state.messages.length}`, ask))) return { ok: false, error: stop.reason };
    state.raisedLimits = raiseLimit(stop, now, limits, state.raisedLimits);
  }
  const budget = { costUsd: state.usage.costUsd, lastTurnCostUsd: state.lastTurnCostUsd, budgetAsks: state.budgetAsks };
  const stopped = await budgetStop(ctx.spending, budget, `m${state.messages.length}`, ask, ctx.payload);
  state.budgetAsks = budget.budgetAsks;
  return stopped;
}

/** The loop guard before one call runs: null to go on, or the run's failed result. */
async function repeatStop(limits: RunLimits, state: AgentState, guard: LoopGuard, call: ToolUseBlock, ask: RequestInput): Promise<ExecutorResult | null> {
  const key = LoopGuard.key(call.name, call.input);
  const count = guard.next(call.name, call.input);
  const stop = checkRepeat({ tool: call.name, count, summary: inputSummary(call.input) }, state.loopAllowed[key] ?? limits.loopRepeats);
  if (!stop) return null;
  if (!(await mayGoOnPast(stop, `loop-${call.id}`, ask))) return { ok: false, error: stop.reason };
  // Asks again after as many more repeats.
  state.loopAllowed[key] = count + limits.loopRepeats;
  return null;
}

/** A call's input in a question: its command when it has one, else its JSON, shortened. */
function inputSummary(input: unknown): string {
  const command = input && typeof input === "object" && "command" in input && typeof input.command === "string" ? input.command : null;
  const text = command ?? JSON.stringify(input);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** The conversation as the run left it for review, and the reviewer's request as the next message. */
function withFeedback(state: AgentState, feedback: string): AgentState {
  const message =
    "A reviewer read the diff of your changes and requested changes:\n\n" +
    feedback +
    "\n\nThe worktree still holds your earlier changes on the same branch. Make the requested changes, check them, and end with a short summary of what you changed.";
  // The follow-up gets its own turn limit and loop guard; usage (and a raised budget) and what
  // the person allowed for the run carry on.
  return {
    ...state,
    turns: 0,
    loopCounts: {},
    loopAllowed: {},
    raisedLimits: { budgetUsd: state.raisedLimits.budgetUsd },
    pendingResults: undefined,
    runningCall: undefined,
    countedCall: undefined,
    messages: [...state.messages, { role: "user", content: message }],
  };
}

type NextStep =
  | { kind: "done" }
  | { kind: "tools" }
  | { kind: "continue"; nudge: string }
  | { kind: "fail"; error: string };

/** What the model's stop reason means for the loop. */
function nextStep(stopReason: string | null, toolCalls: number, maxTokens: number): NextStep {
  if (toolCalls > 0) return { kind: "tools" };
  switch (stopReason) {
    case "end_turn":
    case "stop_sequence":
      return { kind: "done" };
    case "max_tokens":
      return {
        kind: "continue",
        nudge: `Your answer was cut off at the limit of ${maxTokens} tokens per response. Continue exactly where it stopped, in shorter steps.`,
      };
    case "pause_turn":
      return { kind: "continue", nudge: "Continue." };
    case "refusal":
      return { kind: "fail", error: "the model declined to continue with this task (refusal)" };
    default:
      return { kind: "fail", error: `the model stopped for an unexpected reason: ${stopReason ?? "none"}` };
  }
}

/**
 * The answer's blocks as the conversation keeps them: text and tool calls. Empty text blocks
 * are dropped (the API refuses them when sent back).
 */
function conversationBlocks(content: TurnResponse["content"]): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  for (const block of content) {
    if (block.type === "text" && "text" in block && block.text.length > 0) blocks.push({ type: "text", text: block.text });
    if (block.type === "tool_use" && "id" in block) blocks.push({ type: "tool_use", id: block.id, name: block.name, input: block.input });
  }
  return blocks;
}
