import type { ModelPrice } from "../../lib/config";
import type { EventBodyInput } from "../../lib/events";
import { costUsd, type TokenCounts } from "./pricing";

export type UsageTotals = TokenCounts & { costUsd: number };

export const ZERO_USAGE: UsageTotals = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };

/** The usage block of a Messages API response (cache fields are null when caching did not apply). */
export type ApiUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
};

/** One turn's tokens and cost, and the run's totals after it. */
export function addTurnUsage(totals: UsageTotals, usage: ApiUsage, price: ModelPrice): { turn: UsageTotals; totals: UsageTotals } {
  const tokens: TokenCounts = {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
  };
  const turn = { ...tokens, costUsd: costUsd(tokens, price) };
  return {
    turn,
    totals: {
      inputTokens: totals.inputTokens + turn.inputTokens,
      outputTokens: totals.outputTokens + turn.outputTokens,
      cacheReadTokens: totals.cacheReadTokens + turn.cacheReadTokens,
      cacheWriteTokens: totals.cacheWriteTokens + turn.cacheWriteTokens,
      costUsd: totals.costUsd + turn.costUsd,
    },
  };
}

/** The `usage` event with the run's totals after model turn `turn` (0: not counted as a turn). */
export function usageEvent(totals: UsageTotals, turn: number): EventBodyInput {
  return {
    type: "usage",
    inputTokens: totals.inputTokens,
    outputTokens: totals.outputTokens,
    cacheReadTokens: totals.cacheReadTokens,
    cacheWriteTokens: totals.cacheWriteTokens,
    costUsd: totals.costUsd,
    ...(turn > 0 ? { turn } : {}),
  };
}
