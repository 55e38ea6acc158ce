import { z } from "zod";
import { noRememberedActions, rememberedActions, type RememberedActions } from "../../approval/remembered";
import { agentState } from "../../agent/agentState";
import { PermanentRunError } from "../../errors";
import { ZERO_USAGE, type UsageTotals } from "../../agent/usage";

/**
 * What the `claude-code` executor keeps of a run between deliveries (crash resume, a reviewer's
 * "request changes"): the Claude Code session (its id and transcript files, which the next
 * delivery puts back into the new sandbox's config folder before resuming it) and what the
 * executor itself counts: usage, turns, raised limits, remembered approvals. Validated when read
 * back: the transcript is the CLI's own file, written inside the sandbox.
 */

/** Claude Code's session ids are UUIDs; the id names files, so nothing else is accepted. */
export const sessionId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/** A path below the CLI's config folder: plain names only, no `..`, no absolute path. */
export const configRelativePath = z
  .string()
  .max(512)
  .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/, "a plain relative path");

export const claudeCodeState = z.object({
  version: z.literal(1),
  sessionId,
  /** Where the session's workspace was (its transcript's project folder is named after it). */
  cwd: z.string(),
  /** The session's transcript files, relative to the config folder, each gzipped and base64-encoded. */
  files: z.record(configRelativePath, z.string()),
  usage: agentState.shape.usage,
  /** Model requests of the main agent in this round (a follow-up starts again at 0). */
  turns: z.number().int().nonnegative(),
  /** Model requests of the whole run, never reset: names the limit questions uniquely. */
  requests: z.number().int().nonnegative(),
  raisedLimits: agentState.shape.raisedLimits,
  remembered: rememberedActions.default(noRememberedActions),
});
export type ClaudeCodeState = z.infer<typeof claudeCodeState>;

/** What the executor counts as the session runs (the session files are read when saving). */
export type SessionCounters = {
  usage: UsageTotals;
  turns: number;
  requests: number;
  raisedLimits: { maxTurns?: number; budgetUsd?: number };
  remembered: RememberedActions;
  /** The last counted model request's cost: what the team's spending limits expect the next to cost. */
  lastTurnCostUsd: number;
};

export function freshCounters(): SessionCounters {
  return { usage: { ...ZERO_USAGE }, turns: 0, requests: 0, raisedLimits: {}, remembered: noRememberedActions(), lastTurnCostUsd: 0 };
}

export function parseClaudeCodeState(raw: unknown): ClaudeCodeState {
  const parsed = claudeCodeState.safeParse(raw);
  if (!parsed.success) throw new PermanentRunError(`the run's saved Claude Code session is not usable: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
