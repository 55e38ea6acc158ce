import { and, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { canTakeInput, runStatuses } from "../contracts/runLifecycle";
import { inputRequest, run } from "../db/schema";
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

const answerableStatuses = runStatuses.filter(canTakeInput);

/**
 * Runs that wait for this person: one of their own runs with an open input request (only a
 * run's owner may answer it, lib/services/inputs.ts), or one of their own runs awaiting their
 * review. An admin may review others' runs too, but those wait for their owners, not for the
 * admin: they are not counted here.
 */
export const needsPrincipalCondition = (principal: Principal): SQL =>
  and(
    eq(run.userId, principal.userId),
    or(
      eq(run.status, "awaiting_review"),
      and(
        inArray(run.status, answerableStatuses),
        sql`exists (select 1 from ${inputRequest} where ${inputRequest.runId} = ${run.id} and ${inputRequest.status} = 'pending')`,
      ),
    ),
  )!;
