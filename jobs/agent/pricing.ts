import type { ModelPrice } from "../../lib/config";
import { DEFAULT_PRICES } from "../../lib/modelPrices";

// The built-in price table lives in lib/modelPrices.ts: the web lists its models in the New run form.

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
