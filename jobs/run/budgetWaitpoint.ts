import type { Redis } from "ioredis";
import {
  LimitsNotLoaded,
  crossedLimit,
  readSpending,
  type BudgetRequestInput,
  type BudgetScope,
  type RunSpending,
  type SpendingState,
} from "../../lib/contracts/budgets";
import type { RequestInput, RunEmit } from "../executors/types";

/**
 * The team's and user's monthly spending limits at a turn boundary (lib/contracts/budgets.ts):
 * before the next model call, the run reads its team's spend and limits from Redis; if the spend
 * plus the last turn's cost would cross a limit, it asks a team admin through a `budget` input
 * request (the same card, inbox, arbiter and suspend-and-give-back-the-slot wait as approvals).
 * The admin raises the limit (the run reads it again, and asks again if it is still too low) or
 * stops the run, which then fails saying so. The executor's own per-run budget (budgetUsd) is a
 * separate question to the run's owner; this one is the team's.
 */

/** Reads the run's spending against its limits now; null when the run is held to none (an old job). */
export type SpendingReader = (ownCostUsd: number) => Promise<SpendingState | null>;

// The web loads a team's limits at start-up and whenever the recorder finds them gone (on the
// usage event the run has just sent): a short wait covers a Redis that lost them.
const LIMITS_WAIT_MS = 15_000;
const LIMITS_POLL_MS = 250;

export function spendingReader(
  redis: Redis,
  namespace: string,
  run: { runId: string; userId: string; spending?: RunSpending },
  emit: RunEmit,
): SpendingReader {
  return async (ownCostUsd) => {
    const spending = run.spending;
    if (!spending) return null;
    const deadline = Date.now() + LIMITS_WAIT_MS;
    for (;;) {
      try {
        return await readSpending(redis, namespace, { runId: run.runId, userId: run.userId, costUsd: ownCostUsd, ...spending });
      } catch (e) {
        if (!(e instanceof LimitsNotLoaded)) throw e;
        if (Date.now() >= deadline) {
          // Without the web nobody could answer a budget request either: go on, and say so.
          await emit({ type: "log", level: "warn", message: `spending limits not checked at this turn: ${e.message}` });
          return null;
        }
        await new Promise((r) => setTimeout(r, LIMITS_POLL_MS));
      }
    }
  };
}

/** What the waitpoint keeps in the executor's state (checkpointed with it). */
export type BudgetState = {
  /** The run's cost so far and its last model turn's. */
  costUsd: number;
  lastTurnCostUsd: number;
  /** Budget requests answered "raise" at this boundary so far: the next one's request id. */
  budgetAsks: number;
};

const usd = (n: number) => `$${n.toFixed(2)}`;
const whose = (scope: BudgetScope) => (scope === "team" ? "team's" : "member's");

function monthName(month: string): string {
  return new Date(`${month}-01T00:00:00Z`).toLocaleString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
}

/**
 * The waitpoint: null to go on (no limit crossed, or an admin raised it enough), or the run's
 * failed result when an admin chose to stop it (or nobody answered in time). `boundary` names
 * the turn boundary (a resumed run reaches the same one), so its requests keep their ids.
 */
export async function budgetStop(
  read: SpendingReader | undefined,
  state: BudgetState,
  boundary: string,
  ask: RequestInput,
  run: { userId: string; spending?: RunSpending },
): Promise<{ ok: false; error: string } | null> {
  if (!read || !run.spending) return null;
  for (;;) {
    const spending = await read(state.costUsd);
    const crossed = spending && crossedLimit(spending, state.lastTurnCostUsd);
    if (!crossed) return null;
    const input: BudgetRequestInput = {
      ...crossed,
      teamId: run.spending.teamId,
      userId: run.userId,
      month: run.spending.month,
      turnCostUsd: state.lastTurnCostUsd,
    };
    const answer = await ask({
      requestId: `budget-${boundary}-${state.budgetAsks}`,
      kind: "budget",
      input,
      question:
        `The next turn would cross the ${whose(crossed.scope)} monthly spending limit of ${usd(crossed.limitUsd)}: ` +
        `${usd(crossed.spendUsd)} spent in ${monthName(run.spending.month)}, and the last turn cost ${usd(state.lastTurnCostUsd)}.`,
      reasons: ["A team admin raises the limit and the run continues from here, or stops the run (it fails, its changes so far kept on its branch)."],
    });
    if ("answer" in answer) throw new Error("a budget request got a question's answer instead of a decision");
    if ("timedOut" in answer) {
      return { ok: false, error: `stopped at the ${whose(crossed.scope)} monthly spending limit of ${usd(crossed.limitUsd)}: ${answer.reason}` };
    }
    if (answer.decision !== "approve") {
      return { ok: false, error: `stopped at the ${whose(crossed.scope)} monthly spending limit of ${usd(crossed.limitUsd)} by ${answer.by}` };
    }
    // Raised: read the limits again; a raise still below the spend asks again.
    state.budgetAsks += 1;
  }
}
