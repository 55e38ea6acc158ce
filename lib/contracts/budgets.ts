import type { Redis } from "ioredis";
import { z } from "zod";

/**
 * Monthly spending limits of a team and of each of its members, as the job process reads them
 * at a turn boundary (it has no database). The web is the one writer: the budget service
 * writes the limits when an admin sets them, the recorder writes each run's spend when it
 * projects the run's usage, and start-up rebuilds both from the database (a lost key cannot
 * lift a limit: a run whose team has no loaded limits waits at the turn boundary until the web
 * has loaded them again, jobs/run/budgetWaitpoint.ts).
 *
 * Spend is the cost the executors report (the run's usage totals), counted in the UTC
 * calendar month the run was created in: a run's whole cost belongs to one month.
 */

/** A UTC calendar month, "2026-11". */
export const spendingMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as "YYYY-MM"');
export type SpendingMonth = z.infer<typeof spendingMonth>;

export const monthOf = (date: Date): SpendingMonth => date.toISOString().slice(0, 7);

/** The month's first instant and the next month's, for queries. */
export function monthRange(month: SpendingMonth): { from: Date; to: Date } {
  const [year, m] = month.split("-").map(Number) as [number, number];
  return { from: new Date(Date.UTC(year, m - 1, 1)), to: new Date(Date.UTC(year, m, 1)) };
}

/** What the job payload carries so the run can be held to its team's and user's limits. */
export const runSpending = z.object({ teamId: z.string().min(1), month: spendingMonth });
export type RunSpending = z.infer<typeof runSpending>;

export const budgetScopes = ["team", "user"] as const;
export type BudgetScope = (typeof budgetScopes)[number];

/** A limit in USD as stored and entered: positive, cents at most matter. */
export const limitUsd = z.number().positive("must be more than 0").max(1_000_000, "must be at most 1000000");

/** The `input` of a `budget` input request: which limit the next turn would cross, and by how much. */
export const budgetRequestInput = z.object({
  scope: z.enum(budgetScopes),
  teamId: z.string(),
  userId: z.string(),
  month: spendingMonth,
  limitUsd: z.number(),
  spendUsd: z.number(),
  turnCostUsd: z.number(),
});
export type BudgetRequestInput = z.infer<typeof budgetRequestInput>;

export function budgetKeys(namespace = "") {
  return {
    // Hash: "loaded" → "1" once the web wrote the team's limits; "team" → USD; "user:<id>" → USD.
    limits: (teamId: string) => `${namespace}budget:${teamId}:limits`,
    // Hash: run id → runSpendEntry (JSON), the runs created in that month and their cost so far.
    spend: (teamId: string, month: SpendingMonth) => `${namespace}budget:${teamId}:spend:${month}`,
  };
}

export const LIMITS_LOADED_FIELD = "loaded";
export const TEAM_LIMIT_FIELD = "team";
export const userLimitField = (userId: string) => `user:${userId}`;

/** A month's spend is kept a little past the month; the database keeps it for good. */
export const SPEND_KEY_TTL_SEC = 70 * 24 * 3600;

export const runSpendEntry = z.object({ userId: z.string(), costUsd: z.number().nonnegative() });
export type RunSpendEntry = z.infer<typeof runSpendEntry>;

export type SpendLine = { limitUsd: number | null; spendUsd: number };
export type SpendingState = { team: SpendLine; user: SpendLine };

/** Thrown by `readSpending` while the web has not (re)loaded the team's limits into Redis. */
export class LimitsNotLoaded extends Error {
  constructor(teamId: string) {
    super(`the spending limits of team ${teamId} are not loaded in Redis (the web loads them at start-up and on the next recorded usage)`);
    this.name = "LimitsNotLoaded";
  }
}

const parseLimit = (value: string | null | undefined): number | null => {
  if (value == null || value === "") return null;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : null;
};

/**
 * The team's and the user's limits and month spend as the run sees them now: the spend the
 * recorder wrote for every other run of the month, plus this run's own cost as the job knows
 * it (the recorder may not have caught up with its last turn).
 */
export async function readSpending(
  redis: Redis,
  namespace: string,
  run: { runId: string; userId: string; costUsd: number } & RunSpending,
): Promise<SpendingState> {
  const keys = budgetKeys(namespace);
  const [limits, spend] = await Promise.all([redis.hgetall(keys.limits(run.teamId)), redis.hgetall(keys.spend(run.teamId, run.month))]);
  if (limits[LIMITS_LOADED_FIELD] !== "1") throw new LimitsNotLoaded(run.teamId);
  let team = run.costUsd;
  let user = run.costUsd;
  for (const [runId, text] of Object.entries(spend)) {
    if (runId === run.runId) continue;
    const entry = runSpendEntry.safeParse(safeJson(text));
    if (!entry.success) continue;
    team += entry.data.costUsd;
    if (entry.data.userId === run.userId) user += entry.data.costUsd;
  }
  return {
    team: { limitUsd: parseLimit(limits[TEAM_LIMIT_FIELD]), spendUsd: team },
    user: { limitUsd: parseLimit(limits[userLimitField(run.userId)]), spendUsd: user },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The limit a next turn costing `turnCostUsd` would cross (the team's first), or null. */
export function crossedLimit(state: SpendingState, turnCostUsd: number): { scope: BudgetScope; limitUsd: number; spendUsd: number } | null {
  for (const scope of budgetScopes) {
    const { limitUsd, spendUsd } = state[scope];
    if (limitUsd !== null && spendUsd + turnCostUsd > limitUsd) return { scope, limitUsd, spendUsd };
  }
  return null;
}
