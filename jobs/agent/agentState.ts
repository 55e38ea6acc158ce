import { z } from "zod";
import { conversation, type ConversationMessage } from "./conversation";
import { ZERO_USAGE, type UsageTotals } from "./usage";

/**
 * Everything the loop needs to continue a run after its last completed step: the
 * conversation, the usage so far, the turn count and the loop guard's counts. Saved in a
 * checkpoint after each step and validated when read back.
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
});

export type AgentState = {
  messages: ConversationMessage[];
  usage: UsageTotals;
  turns: number;
  loopCounts: Record<string, number>;
};

export function initialState(prompt: string): AgentState {
  return { messages: [{ role: "user", content: prompt }], usage: { ...ZERO_USAGE }, turns: 0, loopCounts: {} };
}

/** A checkpoint's state, or an error that says the checkpoint cannot be used. */
export function parseAgentState(raw: unknown): AgentState {
  const parsed = agentState.safeParse(raw);
  if (!parsed.success) throw new Error(`the run's checkpoint is not a valid agent state: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
