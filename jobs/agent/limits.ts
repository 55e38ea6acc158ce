/**
 * When an agent run must stop before its work is done. Every such decision is made here, in
 * one function, so the human-in-the-loop issue can turn a stop into a question in one place.
 */
export type RunLimits = {
  /** Model turns (requests) the run may make. */
  maxTurns: number;
  /** Spend after which no further turn starts. */
  budgetUsd: number;
  /** The same tool call with the same input this many times means the model is stuck. */
  loopRepeats: number;
};

export const DEFAULT_LOOP_REPEATS = 4;

export type LimitStop = {
  kind: "max_turns" | "budget" | "loop";
  /** Shown to the user as the run's failure reason. */
  reason: string;
};

/** What the loop knows when the model has answered with tool calls, before they run. */
export type LoopState = {
  turns: number;
  costUsd: number;
  /** The tool call of this answer repeated most often so far in the run, counting this one. */
  mostRepeated: { tool: string; count: number } | null;
};

/** Null to go on; otherwise why the run stops now. */
export function checkLimits(state: LoopState, limits: RunLimits): LimitStop | null {
  if (state.mostRepeated && state.mostRepeated.count >= limits.loopRepeats) {
    const { tool, count } = state.mostRepeated;
    return { kind: "loop", reason: `loop detected: ${tool} called ${count} times with the same input` };
  }
  if (state.costUsd >= limits.budgetUsd) {
    return {
      kind: "budget",
      reason: `stopped: reached the cost budget of $${limits.budgetUsd.toFixed(2)} (spent $${state.costUsd.toFixed(4)})`,
    };
  }
  if (state.turns >= limits.maxTurns) {
    return { kind: "max_turns", reason: `stopped: reached the limit of ${limits.maxTurns} turns` };
  }
  return null;
}
