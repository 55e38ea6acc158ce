import { eq } from "drizzle-orm";
import { repository, schedule, user } from "../db/schema";
import { AppError } from "../errors";
import type { App } from "../server/app";
import type { Principal } from "./principal";
import { membershipRole } from "./teams";
import { createRun, runIdFor, type CreateRunInput } from "./runs";
import { runInputFromTemplate } from "./scheduleTemplate";
import { scheduledRunInput } from "./templates";

export type TickOutcome =
  | { kind: "skipped"; reason: "gone" | "disabled" }
  | { kind: "created"; runId: string }
  | { kind: "refused"; error: string };

async function recordError(app: Pick<App, "db">, id: string, error: string): Promise<TickOutcome> {
  await app.db.update(schedule).set({ lastError: error }).where(eq(schedule.id, id));
  return { kind: "refused", error };
}

/**
 * One firing of a schedule (`tickId`: the BullMQ job of this firing, so a retry makes no second run): a run created as its owner from its template. A schedule that can
 * no longer make a run (owner or repository gone, template or executor refused) has the reason
 * recorded on its row and the tick succeeds; database and Redis errors are thrown so that
 * BullMQ retries the tick.
 */
export async function runScheduleTick(app: App, scheduleId: string, tickId?: string): Promise<TickOutcome> {
  const [row] = await app.db.select().from(schedule).where(eq(schedule.id, scheduleId)).limit(1);
  if (!row) return { kind: "skipped", reason: "gone" };
  if (!row.enabled) return { kind: "skipped", reason: "disabled" };

  const [owner] = await app.db.select().from(user).where(eq(user.id, row.userId)).limit(1);
  if (!owner) return recordError(app, row.id, "the schedule's owner no longer exists");
  // Made from a run template: the template as it is now, with the schedule's values.
  let input: { success: true; data: CreateRunInput } | { success: false; error: string };
  if (row.templateVariables !== null) {
    if (!row.templateId) return recordError(app, row.id, "its run template was deleted");
    try {
      input = { success: true, data: await scheduledRunInput(app, row.teamId, row.templateId, row.templateVariables) };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      input = { success: false, error: `its run template makes no run: ${err.message}` };
    }
  } else {
    const [repo] = await app.db.select().from(repository).where(eq(repository.id, row.repositoryId)).limit(1);
    if (!repo) return recordError(app, row.id, "the schedule's repository is no longer registered");
    const own = runInputFromTemplate(row.template, repo.name);
    input = own.success
      ? { success: true, data: own.data }
      : { success: false, error: `the run template is no longer valid: ${own.error.issues.map((i) => `${i.path.join(".") || "template"}: ${i.message}`).join("; ")}` };
  }
  if (!input.success) return recordError(app, row.id, input.error);

  // The run is the owner's, in the schedule's team, with the role they have there now.
  const teamRole = await membershipRole(app, row.teamId, owner.id);
  if (!teamRole) return recordError(app, row.id, "the schedule's owner is no longer in its team");
  const principal: Principal = {
    userId: owner.id,
    email: owner.email,
    name: owner.name,
    role: owner.role,
    via: "schedule",
    team: { id: row.teamId, role: teamRole },
    scope: "admin",
  };
  try {
    // One run per tick, even when BullMQ retries a tick whose run was made before it failed.
    const created = await createRun(app, principal, input.data, {
      scheduleId: row.id,
      ...(row.templateId ? { templateId: row.templateId } : {}),
      ...(tickId ? { runId: runIdFor(`schedule:${row.id}:${tickId}`) } : {}),
    });
    await app.db
      .update(schedule)
      .set({ lastRunAt: new Date(), lastRunId: created.id, lastError: null })
      .where(eq(schedule.id, row.id));
    return { kind: "created", runId: created.id };
  } catch (err) {
    // An AppError is createRun refusing this run (executor unavailable, limits); anything else
    // is an outage and goes back to BullMQ.
    if (err instanceof AppError) return recordError(app, row.id, err.message);
    throw err;
  }
}
