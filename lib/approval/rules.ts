import { z } from "zod";

/**
 * Rules a team writes about shell commands and tools, for every executor. Each pattern is
 * matched against every simple command of a command line, after wrappers are looked through
 * and quoting and whitespace are normalized, and against the name of a tool judged by name
 * (an MCP tool `mcp__<server>__<tool>`, another agent's `WebFetch`). `*` matches any text; a
 * pattern ending in ` *` also matches the command with no further arguments (`git push *`
 * matches `git push`).
 */
export const ruleEffects = ["allow", "ask", "deny"] as const;
export type RuleEffect = (typeof ruleEffects)[number];

export const MAX_PATTERN_LENGTH = 500;

export const rulePattern = z
  .string()
  .trim()
  .min(1, "is required")
  .max(MAX_PATTERN_LENGTH, `must be at most ${MAX_PATTERN_LENGTH} characters`)
  // A rule is about one command: line breaks and control characters would make it unreadable.
  .refine((p) => !/[\x00-\x1F\x7F]/.test(p), "must be a single line without control characters");

/** The rules a run goes by: the repository's and its user's together. */
export const approvalRules = z.object({
  allow: z.array(z.string()).default([]),
  ask: z.array(z.string()).default([]),
  deny: z.array(z.string()).default([]),
});
export type ApprovalRules = z.infer<typeof approvalRules>;

export const noRules = (): ApprovalRules => ({ allow: [], ask: [], deny: [] });

/** Rule sets combined: a pattern from any of them counts; duplicates are dropped. */
export function mergeRules(...sets: { pattern: string; effect: RuleEffect }[][]): ApprovalRules {
  const merged = noRules();
  for (const set of sets) {
    for (const { pattern, effect } of set) if (!merged[effect].includes(pattern)) merged[effect].push(pattern);
  }
  return merged;
}
