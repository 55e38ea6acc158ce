/**
 * Counts identical tool calls (same tool, same input) over the whole run. A model that keeps
 * repeating a call is stuck, whether it repeats it back to back or alternates between two.
 * The counts are part of a checkpoint, so a resumed run keeps counting.
 */
export class LoopGuard {
  constructor(private readonly counts: Record<string, number> = {}) {}

  /** The key a call is counted under (also the key of its loop question's allowance). */
  static key(tool: string, input: unknown): string {
    return `${tool}\u0000${stableJson(input)}`;
  }

  /** How often this exact call will have been made once it runs now; nothing is recorded. */
  next(tool: string, input: unknown): number {
    return (this.counts[LoopGuard.key(tool, input)] ?? 0) + 1;
  }

  /** Records one call; returns how often this exact call has now been made. */
  record(tool: string, input: unknown): number {
    const key = LoopGuard.key(tool, input);
    const count = (this.counts[key] ?? 0) + 1;
    this.counts[key] = count;
    return count;
  }

  snapshot(): Record<string, number> {
    return { ...this.counts };
  }
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same call. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
