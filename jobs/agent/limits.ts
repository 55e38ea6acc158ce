/**
 * When an agent run must stop before its work is done. Every such decision is made here, so
 * the loop can turn each stop into a question for a person in one place (limitQuestion.ts):
 * approving lets the run go on with the limit raised by one more step, denying (or no answer)
 * stops it with `reason`.
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
  /** What the person is asked: go on past this limit? */
  question: string;
};

/** The limits a person raised during the run (kept in the agent state). */
export type RaisedLimits = { maxTurns?: number; budgetUsd?: number };

const usd = (n: number, digits = 2) => `$${n.toFixed(digits)}`;

/**
 * After the model answered with tool calls, before they run: null to go on; otherwise the
 * turn limit or budget that is reached.
 */
export function checkLimits(state: { turns: number; costUsd: number }, limits: RunLimits, raised: RaisedLimits = {}): LimitStop | null {
  const budgetUsd = raised.budgetUsd ?? limits.budgetUsd;
  if (state.costUsd >= budgetUsd) {
    return {
      kind: "budget",
      reason: `stopped: reached the cost budget of ${usd(budgetUsd)} (spent ${usd(state.costUsd, 4)})`,
      question: `Budget of ${usd(budgetUsd)} reached (${usd(state.costUsd)} spent). Continue with ${usd(limits.budgetUsd)} more?`,
    };
  }
  const maxTurns = raised.maxTurns ?? limits.maxTurns;
  if (state.turns >= maxTurns) {
    return {
      kind: "max_turns",
      reason: `stopped: reached the limit of ${maxTurns} turns`,
      question: `The agent reached its limit of ${maxTurns} turns. Continue for ${limits.maxTurns} more?`,
    };
  }
  return null;
}

/** The limits after a person approved going on past `stop`: one more step from where the run is. */
export function raiseLimit(stop: LimitStop, state: { turns: number; costUsd: number }, limits: RunLimits, raised: RaisedLimits): RaisedLimits {
  if (stop.kind === "budget") return { ...raised, budgetUsd: state.costUsd + limits.budgetUsd };
  if (stop.kind === "max_turns") return { ...raised, maxTurns: state.turns + limits.maxTurns };
  return raised;
}

/**
 * Before one tool call runs: null to go on, or the loop stop when this exact call (counting
 * it) has now been made `threshold` times: `loopRepeats`, or the count a person allowed.
 */
export function checkRepeat(call: { tool: string; count: number; summary: string }, threshold: number): LimitStop | null {
  if (call.count < threshold) return null;
  return {
    kind: "loop",
    reason: `loop detected: ${call.tool} called ${call.count} times with the same input`,
    question: `The agent called ${call.tool} ${call.count} times with the same input (${call.summary}); it may be stuck. Let it continue?`,
  };
}
