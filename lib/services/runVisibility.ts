import { and, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { canTakeInput, runStatuses } from "../contracts/runLifecycle";
import { inputRequest, run } from "../db/schema";
import { AppError, notFound } from "../errors";
import { refusalFor, teamAllows } from "../teamRoles";
import type { Principal } from "./principal";

/**
 * Who may see and act on a run: the one rule behind the runs API (a single run, the list, its
 * diff, logs, review and inputs) and the live channel (GET /api/events), so it is made here once.
 * Every member of a run's team sees it (viewer and up); its owner acts on it as a member, anyone
 * else only as a team admin (lib/teamRoles.ts). Another team's run does not exist (404), also
 * for an instance admin who is not in that team.
 */
export type RunVisibility = { teamId: string | null };

export const runVisibility = (principal: Principal): RunVisibility => ({ teamId: principal.team?.id ?? null });

/** Whether a run of team `teamId` is visible under `visibility`. */
export const seesRunOf = (visibility: RunVisibility, teamId: string): boolean => visibility.teamId !== null && visibility.teamId === teamId;

/** The same rule as a condition on the `run` table (nothing at all outside a team). */
export const visibleRunsCondition = (visibility: RunVisibility): SQL =>
  visibility.teamId === null ? sql`false` : eq(run.teamId, visibility.teamId);

/** 404 for a run the principal may not see: its existence is not disclosed. */
export function assertSeesRun(principal: Principal, row: { teamId: string }): void {
  if (!seesRunOf(runVisibility(principal), row.teamId)) throw notFound("Run");
}

/** Whether the principal may act on the run (answer, review, cancel, re-run): its owner, or a team admin. */
export function mayActOnRun(principal: Principal, row: { teamId: string; userId: string }): boolean {
  if (!principal.team || !seesRunOf(runVisibility(principal), row.teamId)) return false;
  return teamAllows(principal.team.role, principal.scope, row.userId === principal.userId ? "actOnOwnRun" : "actOnAnyRun");
}

/** 404 for a run the principal may not see, 403 (naming the role needed) for one it may only read. */
export function assertMayActOnRun(principal: Principal, row: { teamId: string; userId: string }): void {
  assertSeesRun(principal, row);
  if (mayActOnRun(principal, row)) return;
  const action = row.userId === principal.userId ? "actOnOwnRun" : "actOnAnyRun";
  throw new AppError("forbidden", refusalFor(principal.team!.role, principal.scope, action));
}

const answerableStatuses = runStatuses.filter(canTakeInput);

/**
 * Runs that wait for this person: one of their own runs with an open input request, or one of
 * their own runs awaiting their review; for a team admin or owner also any run of the team
 * paused at a spending limit (a budget request is theirs to answer, not the owner's). A team
 * admin may act on others' runs too, but those otherwise wait for their owners: not counted here.
 */
export const needsPrincipalCondition = (principal: Principal): SQL => {
  const pending = (budget: boolean) =>
    sql`exists (select 1 from ${inputRequest} where ${inputRequest.runId} = ${run.id} and ${inputRequest.status} = 'pending' and (${inputRequest.kind} = 'budget') = ${budget})`;
  const own = and(eq(run.userId, principal.userId), or(eq(run.status, "awaiting_review"), and(inArray(run.status, answerableStatuses), pending(false))))!;
  // A budget request waits for the team's admins and owners, not for the run's owner (lib/services/budgetAnswers.ts).
  const team = principal.team;
  if (!team || !teamAllows(team.role, principal.scope, "manage")) return own;
  return or(own, and(eq(run.teamId, team.id), inArray(run.status, answerableStatuses), pending(true)))!;
};
