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
// usage event the run has just sent): usually they are back within moments. Until they are the
// run does not go on unchecked (a lost key must not lift a limit): it waits, says so once after
// a short while, and stops waiting only when the run is stopped (cancel, timeout).
const LIMITS_NOTICE_MS = 15_000;
const LIMITS_POLL_MS = 250;
const LIMITS_SLOW_POLL_MS = 2_000;

export function spendingReader(
  redis: Redis,
  namespace: string,
  run: { runId: string; userId: string; spending?: RunSpending },
  emit: RunEmit,
  signal: AbortSignal,
  timing: { noticeMs: number; pollMs: number; slowPollMs: number } = { noticeMs: LIMITS_NOTICE_MS, pollMs: LIMITS_POLL_MS, slowPollMs: LIMITS_SLOW_POLL_MS },
): SpendingReader {
  return async (ownCostUsd) => {
    const spending = run.spending;
    if (!spending) return null;
    const noticeAt = Date.now() + timing.noticeMs;
    let told = false;
    for (;;) {
      try {
        const state = await readSpending(redis, namespace, { runId: run.runId, userId: run.userId, costUsd: ownCostUsd, ...spending });
        if (told) await emit({ type: "log", level: "info", message: "spending limits loaded again: the run goes on" });
        return state;
      } catch (e) {
        if (!(e instanceof LimitsNotLoaded)) throw e;
        if (!told && Date.now() >= noticeAt) {
          told = true;
          await emit({ type: "log", level: "warn", message: `waiting for the team's spending limits before the next turn: ${e.message}` });
        }
        await abortableDelay(told ? timing.slowPollMs : timing.pollMs, signal);
      }
    }
  };
}

/** Resolves after `ms`, or rejects with the run's stop reason as soon as the run is stopped. */
function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error("the run was stopped"));
    const done = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error("the run was stopped"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", done);
      resolve();
    }, ms);
    signal.addEventListener("abort", done, { once: true });
  });
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
