import { eq } from "drizzle-orm";
import { budgetRequestInput } from "../contracts/budgets";
import { run } from "../db/schema";
import { AppError, notFound } from "../errors";
import type { App } from "../server/app";
import { assertRaise, currentLimit, setSpendingLimit } from "./budgets";
import type { Principal } from "./principal";
import { teamAllows } from "../teamRoles";
import { assertTeamAllows } from "./teams";

/**
 * Answering a `budget` input request (lib/services/inputs.ts calls these): the team's admins
 * and owners answer it, not the run's owner, since it is the team's money. A raise writes the
 * limit the request names (the team's, or the run's member's) before the run is woken, so the
 * run reads it when it checks again.
 */

/** The run of a budget request, for a team admin or owner of its team: 404 for another team, 403 for a member. */
export async function budgetRequestRun(app: Pick<App, "db">, principal: Principal, runId: string) {
  const [row] = await app.db.select({ userId: run.userId, status: run.status, teamId: run.teamId }).from(run).where(eq(run.id, runId));
  if (!row) throw notFound("Run");
  assertTeamAllows(principal, row.teamId, "manage", "Run");
  return row;
}

/** Whether the principal may answer a budget request of a run in `teamId` (the page shows the form, or a note). */
export const mayAnswerBudget = (principal: Principal, teamId: string): boolean =>
  principal.team?.id === teamId && teamAllows(principal.team.role, principal.scope, "manage");

/** Writes the raised limit a budget request asked for. */
export async function raiseForBudgetRequest(app: App, principal: Principal, requestInput: unknown, limitUsd: number): Promise<void> {
  const asked = budgetRequestInput.safeParse(requestInput);
  // Asked a moment ago and not recorded from the event stream yet: its details are not here.
  if (!asked.success) throw new AppError("conflict", "This budget request is still being recorded; answer it again in a moment");
  const { scope, teamId, userId } = asked.data;
  assertRaise(await currentLimit(app, teamId, scope, userId), limitUsd);
  await setSpendingLimit(app, principal, scope === "team" ? { scope, limitUsd } : { scope, userId, limitUsd });
}
