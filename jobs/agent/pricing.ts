import type { ModelPrice } from "../../lib/config";

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

/** The price used for a model nobody priced: the family it names, else Sonnet's. */
const FAMILY_DEFAULTS: readonly { family: string; model: string }[] = [
  { family: "opus", model: "claude-opus-4-6" },
  { family: "haiku", model: "claude-haiku-4-5" },
  { family: "sonnet", model: "claude-sonnet-4-6" },
];
const FALLBACK_MODEL = "claude-sonnet-4-6";

export type TokenCounts = {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
};

export type ResolvedPrice = {
  price: ModelPrice;
  /** Set when the model has no price of its own: says which price stands in, for the feed. */
  note?: string;
};

/**
 * The price of `model`: an exact entry, else the longest entry that prefixes it (model ids
 * carry a date suffix: claude-sonnet-4-5-20250929), else its family's default with a note.
 */
export function priceFor(model: string, overrides: Readonly<Record<string, ModelPrice>> = {}): ResolvedPrice {
  const table = { ...DEFAULT_PRICES, ...overrides };
  const exact = table[model];
  if (exact) return { price: exact };
  const prefix = Object.keys(table)
    .filter((key) => model.startsWith(`${key}-`) || model.startsWith(`${key}@`))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix) return { price: table[prefix]! };
  const stand = FAMILY_DEFAULTS.find((f) => model.toLowerCase().includes(f.family))?.model ?? FALLBACK_MODEL;
  return {
    price: table[stand]!,
    note: `no price is known for model "${model}"; its cost is estimated at ${stand} prices (set AGENT_PRICES to price it)`,
  };
}

export function costUsd(tokens: TokenCounts, price: ModelPrice): number {
  return (
    (tokens.inputTokens * price.input +
      tokens.outputTokens * price.output +
      tokens.cacheReadTokens * price.cacheRead +
      tokens.cacheWriteTokens * price.cacheWrite) /
    1_000_000
  );
}
