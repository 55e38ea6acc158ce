import { z } from "zod";
import { noRememberedActions, rememberedActions, type RememberedActions } from "../approval/remembered";
import { conversation, toolResultBlock, type ConversationMessage, type ToolResultBlock } from "./conversation";
import { ZERO_USAGE, type UsageTotals } from "./usage";

/**
 * Everything the loop needs to continue a run after its last completed step: the
 * conversation, the usage so far, the turn count, the loop guard's counts, what a person
 * allowed for the rest of the run, and, while the tool calls of the model's last answer run,
 * the results of those that completed and the one that started (toolResume.ts). Saved in a
 * checkpoint and validated when read back; fields added later default, so older checkpoints
 * still resume.
 */
const tokens = z.number().int().nonnegative();
export const agentState = z.object({
  messages: conversation.min(1),
  usage: z.object({
    inputTokens: tokens,
    outputTokens: tokens,
    cacheReadTokens: tokens,
    cacheWriteTokens: tokens,
    costUsd: z.number().nonnegative(),
  }),
  turns: z.number().int().nonnegative(),
  loopCounts: z.record(z.string(), z.number().int().positive()),
  // A person let a repeated call go on: its loop question comes back after this count.
  loopAllowed: z.record(z.string(), z.number().int().positive()).default({}),
  // A person let the run go past its turn limit or budget: the limits now in force.
  raisedLimits: z.object({ maxTurns: z.number().int().positive().optional(), budgetUsd: z.number().positive().optional() }).default({}),
  // The last model turn's cost, and the budget requests answered "raise" so far: the team's
  // spending limits at the next turn boundary (jobs/run/budgetWaitpoint.ts).
  lastTurnCostUsd: z.number().nonnegative().default(0),
  budgetAsks: z.number().int().nonnegative().default(0),
  // Actions a person approved with "remember for this run" (see jobs/approval/remembered.ts).
  remembered: rememberedActions.default(noRememberedActions),
  // Set while the tool calls of the last assistant message run: the results so far.
  pendingResults: z.array(toolResultBlock).optional(),
  // The id of the call that started after the last of those results: if a resumed run finds
  // it set, the job process died while that call ran.
  runningCall: z.string().optional(),
  // The id of the call after those results that the loop guard has counted.
  countedCall: z.string().optional(),
});

export type { RememberedActions };

export type AgentState = {
  messages: ConversationMessage[];
  usage: UsageTotals;
  turns: number;
  loopCounts: Record<string, number>;
  loopAllowed: Record<string, number>;
  raisedLimits: { maxTurns?: number; budgetUsd?: number };
  lastTurnCostUsd: number;
  budgetAsks: number;
  remembered: RememberedActions;
  pendingResults?: ToolResultBlock[];
  runningCall?: string;
  countedCall?: string;
};

export function initialState(prompt: string): AgentState {
  return {
    messages: [{ role: "user", content: prompt }],
    usage: { ...ZERO_USAGE },
    turns: 0,
    loopCounts: {},
    loopAllowed: {},
    raisedLimits: {},
    lastTurnCostUsd: 0,
    budgetAsks: 0,
    remembered: noRememberedActions(),
  };
}

/** A checkpoint's state, or an error that says the checkpoint cannot be used. */
export function parseAgentState(raw: unknown): AgentState {
  const parsed = agentState.safeParse(raw);
  if (!parsed.success) throw new Error(`the run's checkpoint is not a valid agent state: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
