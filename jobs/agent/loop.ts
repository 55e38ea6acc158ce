import type Anthropic from "@anthropic-ai/sdk";
import type { ExecutorContext, ExecutorResult } from "../executors/types";
import { initialState, parseAgentState, type AgentState } from "./agentState";
import type { CheckpointSaver } from "./checkpoint";
import type { ContentBlock, ToolResultBlock, ToolUseBlock } from "./conversation";
import { checkLimits, type RunLimits } from "./limits";
import { LoopGuard } from "./loopGuard";
import { streamTurn, type TurnResponse } from "./modelTurn";
import type { ResolvedPrice } from "./pricing";
import { ModelRequestError, retryMessage, withModelRetries, type RetryPolicy } from "./retry";
import { systemPrompt } from "./systemPrompt";
import { TextCoalescer } from "./textCoalescer";
import { runToolStep } from "./toolStep";
import { toolDefinitions } from "./tools";
import { addTurnUsage } from "./usage";

export type AgentLoopOptions = {
  client: Anthropic;
  model: string;
  maxTokens: number;
  limits: RunLimits;
  price: ResolvedPrice;
  retry: RetryPolicy;
  textFlushMs: number;
};

/** The run's context as the loop uses it: the pipeline's, plus crash-resume hooks. */
export type AgentRunContext = Pick<ExecutorContext, "payload" | "workspace" | "emit" | "signal" | "secrets" | "followUp"> & {
  checkpoint?: CheckpointSaver;
  resumeFrom?: { turn: number; state: unknown };
};

/**
 * The agent: ask the model, run the tools it calls, give it the results, until it ends its
 * turn without calling a tool (done) or a limit stops it. One model request is one turn.
 * After every completed step the state is checkpointed, so a killed run continues from there.
 */
export async function runAgentLoop(options: AgentLoopOptions, ctx: AgentRunContext): Promise<ExecutorResult> {
  const { payload, emit, signal } = ctx;
  const state: AgentState = ctx.resumeFrom
    ? parseAgentState(ctx.resumeFrom.state)
    : ctx.followUp
      ? withFeedback(parseAgentState(ctx.followUp.state), ctx.followUp.feedback)
      : initialState(payload.prompt);
  const guard = new LoopGuard(state.loopCounts);
  const system = systemPrompt({ repoName: payload.repo.name, branch: payload.branch, baseBranch: payload.baseBranch });
  const tools = toolDefinitions();
  const text = new TextCoalescer(emit, options.textFlushMs);
  if (options.price.note) await emit({ type: "log", level: "info", message: options.price.note });

  for (;;) {
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

    const { totals } = addTurnUsage(state.usage, response.usage, options.price.price);
    state.usage = totals;
    await emit({
      type: "usage",
      inputTokens: totals.inputTokens,
      outputTokens: totals.outputTokens,
      cacheReadTokens: totals.cacheReadTokens,
      cacheWriteTokens: totals.cacheWriteTokens,
      costUsd: totals.costUsd,
      turn: state.turns,
    });

    const content = conversationBlocks(response.content);
    const calls = content.filter((b): b is ToolUseBlock => b.type === "tool_use");
    if (content.length > 0) state.messages.push({ role: "assistant", content });

    const next = nextStep(response.stopReason, calls.length, options.maxTokens);
    if (next.kind === "done") return { ok: true, state };
    if (next.kind === "fail") return { ok: false, error: next.error };

    let mostRepeated: { tool: string; count: number } | null = null;
    for (const call of calls) {
      const count = guard.record(call.name, call.input);
      if (!mostRepeated || count > mostRepeated.count) mostRepeated = { tool: call.name, count };
    }
    state.loopCounts = guard.snapshot();
    const stop = checkLimits({ turns: state.turns, costUsd: state.usage.costUsd, mostRepeated }, options.limits);
    if (stop) return { ok: false, error: stop.reason };

    if (next.kind === "continue") {
      state.messages.push({ role: "user", content: next.nudge });
    } else {
      const results: ToolResultBlock[] = [];
      // One after another: later calls of a turn may depend on earlier ones (write, then run).
      for (const call of calls) results.push(await runToolStep(call, ctx));
      state.messages.push({ role: "user", content: results });
    }
    await ctx.checkpoint?.(state.turns, state);
  }
}

/** The conversation as the run left it for review, and the reviewer's request as the next message. */
function withFeedback(state: AgentState, feedback: string): AgentState {
  const message =
    "A reviewer read the diff of your changes and requested changes:\n\n" +
    feedback +
    "\n\nThe worktree still holds your earlier changes on the same branch. Make the requested changes, check them, and end with a short summary of what you changed.";
  // The follow-up gets its own turn limit and loop guard; usage keeps adding up for the run.
  return { ...state, turns: 0, loopCounts: {}, messages: [...state.messages, { role: "user", content: message }] };
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
