import { eq, type SQL } from "drizzle-orm";
import { run } from "../db/schema";
import { isAdmin, type Principal } from "./principal";

/**
 * Whose runs a principal may see: the one rule behind the runs API (a single run, the list)
 * and the live channel (GET /api/events), so a change to it (teams) is made here once.
 * Users see their own runs, admins everyone's.
 */
export type RunVisibility = { all: true } | { all: false; ownerId: string };

export function runVisibility(principal: Principal): RunVisibility {
  return isAdmin(principal) ? { all: true } : { all: false, ownerId: principal.userId };
}

/** Whether a run owned by `ownerId` is visible under `visibility`. */
export const seesRunOf = (visibility: RunVisibility, ownerId: string): boolean => visibility.all || visibility.ownerId === ownerId;

/** The same rule as a condition on the `run` table (undefined: every run). */
export const visibleRunsCondition = (visibility: RunVisibility): SQL | undefined =>
  visibility.all ? undefined : eq(run.userId, visibility.ownerId);
