import type { ModelPrice } from "./config";

/**
 * What a model's tokens cost, in USD per million tokens. Built-in prices of current Claude
 * models (cache writes are the 5-minute ephemeral kind: 1.25 × input; cache reads 0.1 ×
 * input); AGENT_PRICES overrides or adds models.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  "claude-opus-4-6": { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  "claude-sonnet-4-6": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "claude-opus-4-5": { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  "claude-opus-4-1": { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  "claude-opus-4": { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  "claude-sonnet-4-5": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "claude-sonnet-4": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "claude-3-7-sonnet": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "claude-haiku-4-5": { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  "claude-3-5-haiku": { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
};

/**
 * The models a person may pick for an agent run (the New run form's list; any other id may
 * still be typed): the configured default first, then those AGENT_PRICES adds, then the
 * built-in ones, newest families first as the table lists them.
 */
export function knownModels(config: { agentModel: string; agentPrices: Readonly<Record<string, ModelPrice>> }): string[] {
  return [...new Set([config.agentModel, ...Object.keys(config.agentPrices), ...Object.keys(DEFAULT_PRICES)])];
}
