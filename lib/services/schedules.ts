import crypto from "node:crypto";
import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import { repository, runTemplate, schedule, user } from "../db/schema";
import { AppError, fieldError, notFound } from "../errors";
import { checkCron, describeCron, nextFire } from "../schedules/cron";
import type { App } from "../server/app";
import type { Tx } from "../db/client";
import { actorOf, recordAudit } from "./audit";
import { assertExecutorOffered } from "./executorChoice";
import type { Principal } from "./principal";
import { repoToRunOn } from "./repos";
import { activeTeamAllows, assertTeamAllows } from "./teams";
import { syncJobScheduler } from "./scheduleSync";
import { assertTemplateAllowed, runInputFromTemplate, SUB_MINUTE, templateOf, type CreateScheduleInput, type FromTemplateScheduleInput } from "./scheduleTemplate";
import { getTemplate, runInputOf } from "./templates";

export { createScheduleInput, createScheduleInputFor, type CreateScheduleInput } from "./scheduleTemplate";

export const updateScheduleInput = z.object({ enabled: z.boolean() });

type ScheduleRow = typeof schedule.$inferSelect;

export function scheduleView(row: ScheduleRow, repoName: string | null, ownerEmail: string, templateName: string | null = null) {
  return {
    id: row.id,
    name: row.name,
    owner: ownerEmail,
    userId: row.userId,
    // null when the repository has been removed since: the schedule's ticks record an error.
    repo: repoName,
    cron: row.cron,
    description: describeCron(row.cron),
    timezone: row.timezone,
    template: row.template as Record<string, unknown>,
    // Made from a run template: which (null once deleted; the schedule is then off and says
    // why in lastError) and the variable values its ticks use.
    fromTemplate:
      row.templateVariables !== null ? { id: row.templateId, name: templateName, variables: row.templateVariables as Record<string, string> } : null,
    enabled: row.enabled,
    nextRunAt: row.enabled ? (nextFire(row.cron, row.timezone)?.toISOString() ?? null) : null,
    createdAt: row.createdAt.toISOString(),
    lastRunAt: row.lastRunAt?.toISOString() ?? null,
    lastRunId: row.lastRunId,
    lastError: row.lastError,
  };
}
export type ScheduleView = ReturnType<typeof scheduleView>;

export type CreateScheduleOptions = {
  /** Tests only: accept a pattern that fires more than once a minute (a 6-field every-second one). */
  allowSubMinute?: boolean;
};

export async function createSchedule(
  app: App,
  principal: Principal,
  input: CreateScheduleInput,
  opts: CreateScheduleOptions = {},
): Promise<ScheduleView> {
  const check = checkCron(input.cron, input.timezone);
  if (!check.ok) throw fieldError(check.path, check.message);
  if (check.subMinute && !opts.allowSubMinute) {
    throw fieldError("cron", SUB_MINUTE);
  }
  if ("templateId" in input) return createScheduleFromTemplate(app, principal, input);
  const template = templateOf(input);
  assertTemplateAllowed(app, template);
  const repo = await repoToRunOn(app, principal, input.repo, "manageOwnSchedules");
  // A schedule whose executor no job process offers would only record errors at every tick.
  await assertExecutorOffered(app, template, { later: "the schedule can be saved once a job process offers it" });
  return insertSchedule(app, principal, repo, { name: input.name, cron: input.cron, timezone: input.timezone, template });
}

/**
 * A schedule that starts its runs from a run template of the team, with variable values fixed
 * now. It is checked as a run would be (variables, repository, executor); each tick reads the
 * template as it is then.
 */
async function createScheduleFromTemplate(app: App, principal: Principal, input: FromTemplateScheduleInput): Promise<ScheduleView> {
  const template = await getTemplate(app, principal, input.templateId).catch((err: unknown) => {
    throw err instanceof AppError && err.code === "not_found" ? fieldError("templateId", "no such template in your team", "unprocessable") : err;
  });
  const runInput = runInputOf(template, input.variables);
  assertTemplateAllowed(app, runInput);
  const repo = await repoToRunOn(app, principal, runInput.repo, "manageOwnSchedules");
  await assertExecutorOffered(app, runInput, { later: "the schedule can be saved once a job process offers it" });
  const fields = {
    name: input.name,
    cron: input.cron,
    timezone: input.timezone,
    // The run fields come from the template at each tick; none of its own.
    template: {},
    templateId: template.id,
    templateVariables: input.variables,
  };
  return insertSchedule(app, principal, repo, fields, template.name);
}

type NewScheduleFields = Pick<typeof schedule.$inferInsert, "name" | "cron" | "timezone" | "template" | "templateId" | "templateVariables">;

async function insertSchedule(
  app: App,
  principal: Principal,
  repo: { id: string; teamId: string; name: string },
  fields: NewScheduleFields,
  templateName: string | null = null,
): Promise<ScheduleView> {
  const row = await app.db.transaction(async (tx) => {
    const [made] = await tx
      .insert(schedule)
      .values({ id: crypto.randomUUID(), userId: principal.userId, repositoryId: repo.id, teamId: repo.teamId, ...fields })
      .returning();
    await auditSchedule(tx, principal, made!, repo.name, "schedule.create");
    // No schedule that never fires: if Redis refuses the job scheduler, nothing is kept and the
    // caller answers 503 (a tick before the commit finds no row and does nothing).
    await syncJobScheduler(app, made!);
    return made!;
  });
  return scheduleView(row, repo.name, principal.email, templateName);
}

function auditSchedule(
  tx: Tx,
  principal: Principal,
  row: ScheduleRow,
  repoName: string | null,
  action: "schedule.create" | "schedule.update" | "schedule.delete",
) {
  return recordAudit(tx, {
    teamId: row.teamId,
    actor: actorOf(principal),
    action,
    subject: { type: "schedule", id: row.id, label: row.name },
    details: { cron: row.cron, timezone: row.timezone, enabled: row.enabled, repo: repoName },
  });
}

function selectSchedules(app: Pick<App, "db">) {
  return app.db
    .select({ schedule, repoName: repository.name, ownerEmail: user.email, templateName: runTemplate.name })
    .from(schedule)
    .innerJoin(user, eq(user.id, schedule.userId))
    .leftJoin(repository, eq(repository.id, schedule.repositoryId))
    .leftJoin(runTemplate, eq(runTemplate.id, schedule.templateId));
}

/** Newest first: the schedules of the caller's team (every member sees them; none outside a team). */
export async function listSchedules(app: Pick<App, "db">, principal: Principal): Promise<ScheduleView[]> {
  if (!principal.team) return [];
  const rows = await selectSchedules(app)
    .where(eq(schedule.teamId, principal.team.id))
    .orderBy(desc(schedule.createdAt), desc(schedule.id));
  return rows.map((r) => scheduleView(r.schedule, r.repoName, r.ownerEmail, r.templateName));
}

/** Whether the principal may change the schedule: its owner as a member, anyone else as a team admin. */
export const mayManageSchedule = (principal: Principal, row: { teamId: string; userId: string }): boolean =>
  principal.team?.id === row.teamId && activeTeamAllows(principal, row.userId === principal.userId ? "manageOwnSchedules" : "manage");

/** A schedule the principal changes: another team's is "not found", never "forbidden"; too small a role 403. */
async function ownedSchedule(app: Pick<App, "db">, principal: Principal, id: string) {
  if (!z.uuid().safeParse(id).success) throw notFound("Schedule");
  const [found] = await selectSchedules(app).where(eq(schedule.id, id)).limit(1);
  if (!found) throw notFound("Schedule");
  assertTeamAllows(principal, found.schedule.teamId, found.schedule.userId === principal.userId ? "manageOwnSchedules" : "manage", "Schedule");
  return found;
}

export async function setScheduleEnabled(app: App, principal: Principal, id: string, enabled: boolean): Promise<ScheduleView> {
  const found = await ownedSchedule(app, principal, id);
  const target = { ...found.schedule, enabled };
  if (enabled && found.schedule.templateVariables !== null && found.schedule.templateId === null) {
    throw new AppError("conflict", "This schedule's run template was deleted; it cannot be switched on again. Delete it, or make a new one.");
  }
  if (enabled && !found.schedule.enabled && found.repoName && found.schedule.templateVariables === null) {
    // Switched back on: its executor is checked as when it was created. (A template no longer
    // valid is left to the tick, which records why it makes no run.)
    const input = runInputFromTemplate(found.schedule.template, found.repoName);
    if (input.success) await assertExecutorOffered(app, input.data, { later: "the schedule can be enabled once a job process offers it" });
  }
  // Redis first when stopping (if it is down the caller gets 503 and nothing has changed); last
  // when starting, inside the transaction, so a refused job scheduler keeps it off.
  if (!enabled) await syncJobScheduler(app, target);
  await app.db.transaction(async (tx) => {
    await tx.update(schedule).set({ enabled }).where(eq(schedule.id, id));
    if (enabled !== found.schedule.enabled) await auditSchedule(tx, principal, target, found.repoName, "schedule.update");
    if (enabled) await syncJobScheduler(app, target);
  });
  return scheduleView(target, found.repoName, found.ownerEmail, found.templateName);
}

export async function deleteSchedule(app: App, principal: Principal, id: string): Promise<void> {
  const found = await ownedSchedule(app, principal, id);
  // The job scheduler goes first: a tick that still arrives finds no row and does nothing.
  await app.schedulesQueue.removeJobScheduler(id);
  await app.db.transaction(async (tx) => {
    const gone = await tx.delete(schedule).where(eq(schedule.id, id)).returning({ id: schedule.id });
    if (gone.length > 0) await auditSchedule(tx, principal, found.schedule, found.repoName, "schedule.delete");
  });
}
