import { z } from "zod";
import { noRememberedActions, rememberedActions } from "../../approval/remembered";
import { configRelativePath } from "../claudeCode/state";

/**
 * What the `acp` executor keeps of a run between deliveries: checkpointed after each finished
 * tool call (crash resume) and kept when the run reaches review (request changes). The agent's
 * own conversation lives in the agent; what we need is which session it was, what the task
 * was, what the person allowed for the run, and the usage so far.
 */
export const acpState = z.object({
  version: z.literal(1),
  agentName: z.string(),
  /** The task as first given: a new session (after a crash, or without session/load) is told it again. */
  task: z.string(),
  /** The agent's last session; a follow-up loads it when the agent can. */
  sessionId: z.string().nullable(),
  /** Sessions this run has opened so far: tool call ids are prefixed with it, so they stay unique in the run. */
  sessions: z.number().int().nonnegative(),
  /** Finished tool calls, the checkpoint's turn number. */
  steps: z.number().int().nonnegative(),
  /** Prompt turns sent so far (the run's turn limit counts these; a follow-up starts again at 0). */
  promptTurns: z.number().int().nonnegative().default(0),
  /** The turn limit and budget as a person raised them during the run (limits.ts). */
  raisedLimits: z.object({ maxTurns: z.number().int().positive().optional(), budgetUsd: z.number().positive().optional() }).default({}),
  remembered: rememberedActions,
  /**
   * claude-agent-acp's session files (Claude Code's transcript, from the sandbox's HOME), kept
   * when the run reaches review so a follow-up's new sandbox has them and `session/load` works.
   */
  claudeSession: z.object({ cwd: z.string(), files: z.record(configRelativePath, z.string()) }).nullable().default(null),
  usage: z.object({
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    cacheReadTokens: z.number().int().nonnegative(),
    cacheWriteTokens: z.number().int().nonnegative(),
    /** Cost of the sessions before the current one (agents report a running total per session). */
    costUsdBefore: z.number().nonnegative(),
    costUsd: z.number().nonnegative(),
  }),
});
export type AcpState = z.infer<typeof acpState>;

export function initialAcpState(agentName: string, task: string): AcpState {
  return {
    version: 1,
    agentName,
    task,
    sessionId: null,
    sessions: 0,
    steps: 0,
    promptTurns: 0,
    raisedLimits: {},
    remembered: noRememberedActions(),
    claudeSession: null,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsdBefore: 0, costUsd: 0 },
  };
}

/** A stored state read back; a state of another agent (or none) starts over with `fallback`. */
export function readAcpState(stored: unknown, fallback: () => AcpState): AcpState {
  const parsed = acpState.safeParse(stored);
  return parsed.success ? parsed.data : fallback();
}

/** The prompt of a session that continues a run in a new session (crash resume, or no session/load). */
export function continuationPrompt(task: string, why: "resume" | { feedback: string }): string {
  const head = `Continue this task. The task was:\n\n${task}\n\nYour earlier work is in the workspace (the current directory); look at it before changing anything.`;
  if (why === "resume") return `${head} You were interrupted; pick up where the work stands and finish the task.`;
  return `${head}\n\nA reviewer read the diff of your changes and requested changes:\n\n${why.feedback}\n\nMake the requested changes, check them, and end with a short summary of what you changed.`;
}

/** The prompt of a follow-up in the same (loaded) session: only the reviewer's request. */
export function feedbackPrompt(feedback: string): string {
  return `A reviewer read the diff of your changes and requested changes:\n\n${feedback}\n\nThe workspace still holds your earlier changes. Make the requested changes, check them, and end with a short summary of what you changed.`;
}

/** The prompt after a turn stopped at the budget and a person let the run go on: same session. */
export function budgetContinuationPrompt(): string {
  return "You were stopped when this run reached its cost budget; the person running it let you go on. Continue the task where you left off.";
}
