import type { CanUseTool, HookCallbackMatcher, HookInput, HookJSONOutput, PermissionResult } from "@anthropic-ai/claude-agent-sdk";
import { z } from "zod";
import { gateAction, type GateSettings } from "../../approval/gate";
import { claudeCodeAction, claudeCodeGateRequest } from "../../approval/toolActions";
import { mayGoOnPast } from "../../agent/limitQuestion";
import { checkLimits, raiseLimit, type RunLimits } from "../../agent/limits";
import { questionRequestId } from "../../agent/toolStep";
import type { RunSpending } from "../../../lib/contracts/budgets";
import { budgetStop, type SpendingReader } from "../../run/budgetWaitpoint";
import type { RequestInput } from "../types";
import type { SessionCheckpoints } from "./checkpoints";
import type { ClaudeCodeFeed } from "./feed";
import type { SessionCounters } from "./state";

export type ToolHooksDeps = {
  feed: ClaudeCodeFeed;
  counters: SessionCounters;
  /** The workspace as the CLI sees it (tool paths are judged relative to it). */
  workspace: string;
  approval: Omit<GateSettings, "remembered">;
  limits: RunLimits;
  requestInput: RequestInput;
  /** The team's and user's monthly spending limits (jobs/run/budgetWaitpoint.ts), checked with the run's own. */
  spending?: SpendingReader;
  run: { userId: string; spending?: RunSpending };
  checkpoints: SessionCheckpoints;
  /** Ends the run with `error` (a limit a person did not lift, a failed save): the query is aborted. */
  stop(error: Error): void;
  /** How long a hook may wait (for a person's answer): longer than the run's input timeout. */
  hookTimeoutSec: number;
};

const QUESTION_TOOL = "AskUserQuestion";

/**
 * Every tool call of Claude Code, its subagents' included, passes AgentDesk's one approval gate
 * (jobs/approval/gate.ts) in a PreToolUse hook, which Claude Code calls for every call, even
 * those it considers safe: allow (with the reviewer's edit as updatedInput and their note as
 * context the model sees), or deny with the gate's reason as the message the model gets. The
 * hook's failure blocks the call. `canUseTool`, which Claude Code calls only for calls it would
 * ask about, allows what the hook allowed and routes AskUserQuestion to the run's question form.
 * Before the first call of each model response, the turn limit and budget are checked as our loop
 * does. After a call that may have changed files, the session is checkpointed.
 */
export function toolHooks(deps: ToolHooksDeps): { hooks: Partial<Record<"PreToolUse" | "PostToolUse" | "PostToolUseFailure", HookCallbackMatcher[]>>; canUseTool: CanUseTool } {
  const cleared = new Set<string>();
  const limitChecks = new Map<string, Promise<string | null>>();

  const deny = (reason: string): HookJSONOutput => ({
    hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny", permissionDecisionReason: reason },
  });

  /** Null to go on past the limits, else why the run stops. Once per model response. */
  const limitStop = (messageId: string): Promise<string | null> => {
    let check = limitChecks.get(messageId);
    if (!check) {
      check = (async () => {
        const now = { turns: deps.counters.turns, costUsd: deps.counters.usage.costUsd };
        const stop = checkLimits(now, deps.limits, deps.counters.raisedLimits);
        if (stop) {
          if (!(await mayGoOnPast(stop, `${stop.kind}-${messageId}`, deps.requestInput))) return stop.reason;
          deps.counters.raisedLimits = raiseLimit(stop, now, deps.limits, deps.counters.raisedLimits);
        }
        // Claude Code's run cannot be suspended inside a hook: a budget request waits here, holding the slot.
        if (!deps.run.spending) return null;
        // The response's own cost counts: wait until its usage is in.
        await deps.feed.counted(messageId);
        const budget = { costUsd: deps.counters.usage.costUsd, lastTurnCostUsd: deps.counters.lastTurnCostUsd, budgetAsks: 0 };
        const stopped = await budgetStop(deps.spending, budget, messageId, deps.requestInput, deps.run);
        return stopped?.error ?? null;
      })();
      limitChecks.set(messageId, check);
    }
    return check;
  };

  const preToolUse = async (input: HookInput): Promise<HookJSONOutput> => {
    if (input.hook_event_name !== "PreToolUse") return {};
    const callId = input.tool_use_id;
    const { tool_name: tool, tool_input: toolInput } = input;
    try {
      // The files of the previous call are saved before this one can change them.
      await deps.checkpoints.settled();
      // Its text and its model response are in the feed before the call is.
      const use = await deps.feed.seen(callId);
      if (use) {
        const stopped = await limitStop(use.messageId);
        if (stopped) {
          deps.stop(new Error(stopped));
          return deny(`AgentDesk stopped the run: ${stopped}.`);
        }
      }
      if (tool === QUESTION_TOOL) {
        // No decision here: Claude Code then asks canUseTool, which puts the questions to a person.
        await deps.feed.started(callId, tool, toolInput);
        return {};
      }
      const gate = await gateAction(
        claudeCodeGateRequest(callId, tool, toolInput, deps.workspace),
        { ...deps.approval, remembered: deps.counters.remembered },
        deps.requestInput,
      );
      if (!gate.run) {
        await deps.feed.blocked(callId, tool, toolInput, gate.output);
        return deny(gate.output);
      }
      cleared.add(callId);
      await deps.feed.started(callId, tool, gate.input);
      return {
        hookSpecificOutput: {
          hookEventName: "PreToolUse",
          permissionDecision: "allow",
          ...(gate.input !== toolInput ? { updatedInput: gate.input as Record<string, unknown> } : {}),
          ...(gate.notice ? { additionalContext: gate.notice } : {}),
        },
      };
    } catch (e) {
      // Stopped while waiting (cancel, timeout, shutdown) or a fault: the call does not run.
      deps.stop(e instanceof Error ? e : new Error(String(e)));
      return deny("AgentDesk stopped the run.");
    }
  };

  const postToolUse = async (input: HookInput): Promise<HookJSONOutput> => {
    if (input.hook_event_name !== "PostToolUse" && input.hook_event_name !== "PostToolUseFailure") return {};
    const action = claudeCodeAction(input.tool_name, input.tool_input, deps.workspace);
    if (action && action.kind !== "read") deps.checkpoints.after(input.tool_use_id);
    return {};
  };

  const canUseTool: CanUseTool = async (tool, input, options): Promise<PermissionResult> => {
    if (tool === QUESTION_TOOL) return askQuestions(deps.requestInput, options.toolUseID, input);
    if (cleared.has(options.toolUseID)) return { behavior: "allow", updatedInput: input };
    return { behavior: "deny", message: "AgentDesk's approval gate did not clear this call; it did not run." };
  };

  const matcher = (hook: (input: HookInput) => Promise<HookJSONOutput>): HookCallbackMatcher[] => [
    { hooks: [hook], timeout: deps.hookTimeoutSec, onFailure: "block" },
  ];
  return {
    hooks: { PreToolUse: matcher(preToolUse), PostToolUse: matcher(postToolUse), PostToolUseFailure: matcher(postToolUse) },
    canUseTool,
  };
}

const questionsInput = z.object({
  questions: z
    .array(
      z.object({
        question: z.string(),
        header: z.string().optional(),
        options: z.array(z.object({ label: z.string(), description: z.string().optional() })).default([]),
        multiSelect: z.boolean().optional(),
      }),
    )
    .min(1),
});

/**
 * AskUserQuestion's questions, one question form each (`question-<call>` or `question-<call>-<n>`),
 * answered in free text (the choices are listed). The answers go back in `updatedInput.answers`
 * keyed by question text, as the SDK documents; an unanswered question is denied with the reason.
 */
async function askQuestions(requestInput: RequestInput, callId: string, input: Record<string, unknown>): Promise<PermissionResult> {
  const parsed = questionsInput.safeParse(input);
  if (!parsed.success) return { behavior: "deny", message: `AskUserQuestion's input is not valid: ${z.prettifyError(parsed.error)}` };
  const { questions } = parsed.data;
  const answers: Record<string, string> = {};
  for (const [i, q] of questions.entries()) {
    const choices = q.options.map((o) => `- ${o.label}${o.description ? `: ${o.description}` : ""}`).join("\n");
    const question = [q.header ? `${q.header}: ${q.question}` : q.question, choices && `Choices${q.multiSelect ? " (one or more)" : ""}:\n${choices}`]
      .filter(Boolean)
      .join("\n\n");
    const requestId = questions.length === 1 ? questionRequestId(callId) : `${questionRequestId(callId)}-${i + 1}`;
    const answer = await requestInput({ requestId, kind: "question", tool: QUESTION_TOOL, question });
    if ("timedOut" in answer) return { behavior: "deny", message: `Nobody answered "${q.question}": ${answer.reason}.` };
    if (!("answer" in answer)) return { behavior: "deny", message: `The question "${q.question}" got a decision instead of an answer.` };
    answers[q.question] = answer.answer;
  }
  return { behavior: "allow", updatedInput: { ...input, answers } };
}
