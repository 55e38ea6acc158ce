import crypto from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../db/client";
import { isForeignKeyViolation, isUniqueViolation } from "../db/errors";
import { inboundWebhook, repository, runTemplate, schedule, user } from "../db/schema";
import { AppError, notFound, type FieldIssue } from "../errors";
import type { App } from "../server/app";
import {
  renderText,
  resolveValues,
  undeclaredPlaceholders,
  variableDeclarations,
  variableValues,
  type VariableDeclaration,
} from "../templateVariables";
import type { RunOriginKind } from "../contracts/runOrigin";
import { actorOf, recordAudit } from "./audit";
import type { Principal } from "./principal";
import { repoToRunOn } from "./repos";
import { savedRunInput, submitRun, type RunView } from "./runs";
import { assertTemplateAllowed, runInputFromTemplate, type RunTemplate } from "./scheduleTemplate";
import { activeTeam, activeTeamAllows, assertTeamAllows } from "./teams";

/**
 * Run templates: a team's saved run configurations (table run_template). Members make their
 * own and change their own, admins change any, everyone in the team reads them and starts runs
 * from them (lib/teamRoles.ts). `startRunFromTemplate` is the one way a run is made from one:
 * the New run form, the API, schedules and incoming webhooks all call it.
 */

const templateOwnFields = z.object({
  name: z.string().trim().min(1, "is required").max(120),
  description: z.string().trim().max(2000).default(""),
  variables: variableDeclarations,
});

/** A new template: its own fields plus the fields of POST /api/runs (the same schema) but `dependsOn`. */
export const createTemplateInput = templateOwnFields.and(savedRunInput);
export type CreateTemplateInput = z.infer<typeof createTemplateInput>;

/**
 * A change: any of the create fields; the rest stay as they are. `null` clears an optional
 * field (model, budgetUsd, baseBranch…). The result is validated as a whole, as a new one.
 */
export const updateTemplateInput = z
  .record(z.string(), z.unknown())
  .refine((v) => Object.keys(v).length > 0, { message: "nothing to change" });
export type UpdateTemplateInput = z.infer<typeof updateTemplateInput>;

export const startFromTemplateInput = z.object({ variables: variableValues });

type TemplateRow = typeof runTemplate.$inferSelect;

export type TemplateView = {
  id: string;
  name: string;
  description: string;
  /** null when the repository has been removed since: the template starts nothing. */
  repo: string | null;
  run: RunTemplate;
  variables: VariableDeclaration[];
  createdBy: string | null;
  createdByEmail: string | null;
  createdAt: string;
  updatedAt: string;
};

// Stored rows are read back through their schemas: a field a later version refuses shows up
// when the template is used (a 400 naming it), never as a run with unchecked settings.
function templateView(row: TemplateRow, repoName: string | null, creatorEmail: string | null): TemplateView {
  const variables = variableDeclarations.safeParse(row.variables);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    repo: repoName,
    run: row.run as RunTemplate,
    variables: variables.success ? variables.data : [],
    createdBy: row.createdBy,
    createdByEmail: creatorEmail,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function splitInput(input: CreateTemplateInput) {
  const { name, description, variables, repo, ...run } = input;
  return { name, description, variables, repo, run: run as RunTemplate };
}

/** Every `{{name}}` the prompt uses must be declared (a typo would otherwise stay in the run's prompt). */
function assertPlaceholdersDeclared(run: RunTemplate, variables: readonly VariableDeclaration[]) {
  const issues: FieldIssue[] = undeclaredPlaceholders(run.prompt, variables, "prompt");
  if (issues.length > 0) throw new AppError("invalid_request", issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues);
}

const nameTaken = () => new AppError("conflict", "name: the team already has a template with this name", [{ path: "name", message: "the team already has a template with this name" }]);

function auditTemplate(tx: Tx, principal: Principal, row: TemplateRow, repoName: string | null, action: "template.create"): Promise<void>;
function auditTemplate(tx: Tx, principal: Principal, row: TemplateRow, repoName: string | null, action: "template.update", extra: { changed: string[] }): Promise<void>;
function auditTemplate(tx: Tx, principal: Principal, row: TemplateRow, repoName: string | null, action: "template.delete", extra: { schedulesDisabled: string[] }): Promise<void>;
function auditTemplate(
  tx: Tx,
  principal: Principal,
  row: TemplateRow,
  repoName: string | null,
  action: "template.create" | "template.update" | "template.delete",
  extra: object = {},
) {
  const run = row.run as Partial<RunTemplate>;
  const variables = (row.variables as { name?: string }[]).map((v) => String(v.name));
  return recordAudit(tx, {
    teamId: row.teamId,
    actor: actorOf(principal),
    action,
    subject: { type: "template", id: row.id, label: row.name },
    details: { repo: repoName, executor: String(run.executor ?? ""), variables, ...extra } as never,
  });
}

export async function createTemplate(app: App, principal: Principal, input: CreateTemplateInput): Promise<TemplateView> {
  const { name, description, variables, repo: repoName, run } = splitInput(input);
  assertPlaceholdersDeclared(run, variables);
  assertTemplateAllowed(app, run);
  const repo = await repoToRunOn(app, principal, repoName, "manageOwnTemplates");
  try {
    const row = await app.db.transaction(async (tx) => {
      const [made] = await tx
        .insert(runTemplate)
        .values({ id: crypto.randomUUID(), teamId: repo.teamId, repositoryId: repo.id, name, description, run, variables, createdBy: principal.userId })
        .returning();
      await auditTemplate(tx, principal, made!, repo.name, "template.create");
      return made!;
    });
    return templateView(row, repo.name, principal.email);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

function selectTemplates(app: Pick<App, "db">) {
  return app.db
    .select({ template: runTemplate, repoName: repository.name, creatorEmail: user.email })
    .from(runTemplate)
    .leftJoin(repository, eq(repository.id, runTemplate.repositoryId))
    .leftJoin(user, eq(user.id, runTemplate.createdBy));
}

/** The templates of the caller's team, by name (none outside a team). */
export async function listTemplates(app: Pick<App, "db">, principal: Principal): Promise<TemplateView[]> {
  if (!principal.team || !activeTeamAllows(principal, "read")) return [];
  const rows = await selectTemplates(app).where(eq(runTemplate.teamId, principal.team.id)).orderBy(asc(runTemplate.name), asc(runTemplate.id));
  return rows.map((r) => templateView(r.template, r.repoName, r.creatorEmail));
}

/** A template of the caller's team; another team's is "not found", never "forbidden". */
async function visibleTemplate(app: Pick<App, "db">, principal: Principal, id: string) {
  if (!z.uuid().safeParse(id).success) throw notFound("Template");
  const [found] = await selectTemplates(app).where(eq(runTemplate.id, id)).limit(1);
  if (!found) throw notFound("Template");
  assertTeamAllows(principal, found.template.teamId, "read", "Template");
  return found;
}

export async function getTemplate(app: Pick<App, "db">, principal: Principal, id: string): Promise<TemplateView> {
  const found = await visibleTemplate(app, principal, id);
  return templateView(found.template, found.repoName, found.creatorEmail);
}

/** Whether the principal may change the template: its author as a member, anyone else as a team admin. */
export const mayManageTemplate = (principal: Principal, row: { teamId: string; createdBy: string | null }): boolean =>
  principal.team?.id === row.teamId && activeTeamAllows(principal, row.createdBy === principal.userId ? "manageOwnTemplates" : "manage");

async function managedTemplate(app: Pick<App, "db">, principal: Principal, id: string) {
  const found = await visibleTemplate(app, principal, id);
  const own = found.template.createdBy === principal.userId;
  assertTeamAllows(principal, found.template.teamId, own ? "manageOwnTemplates" : "manage", "Template");
  return found;
}

/** The stored template as the create input it came from (for a change to start from). */
function inputOf(row: TemplateRow, repoName: string | null): Record<string, unknown> {
  return { name: row.name, description: row.description, variables: row.variables, ...(row.run as object), repo: repoName ?? "" };
}

// jsonb keeps an object's keys in its own order: compare by content.
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === "object" && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => a.localeCompare(b))) : val,
  ) ?? "";

export async function updateTemplate(app: App, principal: Principal, id: string, patch: UpdateTemplateInput): Promise<TemplateView> {
  const found = await managedTemplate(app, principal, id);
  const merged: Record<string, unknown> = { ...inputOf(found.template, found.repoName), ...patch };
  // A change of executor drops the stored settings that only applied to the old one (unless given again).
  if ("executor" in patch) for (const key of ["model", "budgetUsd", "acpAgent"]) if (!(key in patch)) delete merged[key];
  for (const [key, value] of Object.entries(merged)) if (value === null) delete merged[key];
  const parsed = createTemplateInput.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join(".") || "body", message: i.message }));
    throw new AppError("invalid_request", issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues);
  }
  const { name, description, variables, repo: repoName, run } = splitInput(parsed.data);
  assertPlaceholdersDeclared(run, variables);
  assertTemplateAllowed(app, run);
  const repo = repoName === found.repoName ? null : await repoToRunOn(app, principal, repoName, "manageOwnTemplates");
  const before = inputOf(found.template, found.repoName);
  const after: Record<string, unknown> = { name, description, variables, ...run, repo: repoName };
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => canonical(before[k]) !== canonical(after[k])).sort();
  try {
    const row = await app.db.transaction(async (tx) => {
      const [updated] = await tx
        .update(runTemplate)
        .set({ name, description, run, variables, ...(repo ? { repositoryId: repo.id } : {}), updatedAt: new Date() })
        .where(eq(runTemplate.id, id))
        .returning();
      if (!updated) throw notFound("Template");
      if (changed.length > 0) await auditTemplate(tx, principal, updated, repoName, "template.update", { changed });
      return updated;
    });
    return templateView(row, repoName, found.creatorEmail);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

/** Why a schedule made from a deleted template makes no run (lib/services/scheduleTick.ts shows it). */
export const templateDeletedReason = (name: string) => `its run template "${name}" was deleted; the schedule is off (delete it, or make a new one)`;

/**
 * Deletes the template. Its schedules are switched off with the reason on them (their job
 * schedulers removed first, so no tick runs against a half-deleted template); runs made from
 * it keep their settings and say it was deleted.
 */
export async function deleteTemplate(app: App, principal: Principal, id: string): Promise<void> {
  const found = await managedTemplate(app, principal, id);
  await assertNoWebhookUses(app, id, found.template.name);
  const using = await app.db.select({ id: schedule.id }).from(schedule).where(eq(schedule.templateId, id));
  for (const s of using) await app.schedulesQueue.removeJobScheduler(s.id);
  await app.db.transaction(async (tx) => {
    const disabled = await tx
      .update(schedule)
      .set({ enabled: false, lastError: templateDeletedReason(found.template.name) })
      .where(eq(schedule.templateId, id))
      .returning({ id: schedule.id });
    const gone = await tx
      .delete(runTemplate)
      .where(eq(runTemplate.id, id))
      .returning({ id: runTemplate.id })
      .catch((err: unknown) => {
        // A webhook set to this template since the check above: the key refused the delete.
        if (isForeignKeyViolation(err)) throw webhookUsesTemplate(found.template.name, "an incoming webhook", "it");
        throw err;
      });
    if (gone.length > 0) await auditTemplate(tx, principal, found.template, found.repoName, "template.delete", { schedulesDisabled: disabled.map((d) => d.id) });
  });
}

/**
 * An incoming webhook's deliveries start runs from its template, and a sender outside cannot be
 * told it stopped working: the template stays until its webhooks use another or are deleted.
 */
async function assertNoWebhookUses(app: Pick<App, "db">, templateId: string, name: string): Promise<void> {
  const users = await app.db
    .select({ repo: repository.name })
    .from(inboundWebhook)
    .innerJoin(repository, eq(repository.id, inboundWebhook.repositoryId))
    .where(eq(inboundWebhook.templateId, templateId));
  if (users.length === 0) return;
  const repos = [...new Set(users.map((u) => u.repo))].sort().join(", ");
  throw users.length === 1
    ? webhookUsesTemplate(name, `an incoming webhook of ${repos}`, "it")
    : webhookUsesTemplate(name, `${users.length} incoming webhooks of ${repos}`, "them");
}

const webhookUsesTemplate = (name: string, users: string, pronoun: string) =>
  new AppError("conflict", `The template "${name}" is used by ${users}; point ${pronoun} at another template or delete ${pronoun} first`);

export type StartFromTemplateOptions = {
  /** Same key and same rendered run: the first run again (`replayed`); another run: 422. */
  idempotencyKey?: string;
  /** The field or header to name when the key is reused for another run. */
  keyField?: string;
  /** A run id derived by the caller (e.g. from a webhook delivery): a second call makes no second run. */
  runId?: string;
  /** The run this one is made from, if any. */
  origin?: { kind: RunOriginKind; runId: string };
  /** The schedule whose tick starts it. */
  scheduleId?: string;
};

/**
 * The run-creation input a template gives with these variable values: the template's settings,
 * its prompt rendered. Refuses (400, naming the field) unknown or missing variables and a
 * stored template the run-creation schema no longer accepts; 409 if its repository is gone.
 */
export function runInputOf(template: Pick<TemplateView, "run" | "variables" | "repo" | "name">, given: unknown) {
  const parsedValues = variableValues.safeParse(given ?? {});
  if (!parsedValues.success) {
    const issues = parsedValues.error.issues.map((i) => ({ path: ["variables", ...i.path].join("."), message: i.message }));
    throw new AppError("invalid_request", issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues);
  }
  const values = resolveValues(template.variables, parsedValues.data);
  if (template.repo === null) throw new AppError("conflict", `the template "${template.name}" runs on a repository that is no longer registered`);
  const input = runInputFromTemplate({ ...template.run, prompt: renderText(template.run.prompt ?? "", values) }, template.repo);
  if (!input.success) {
    const issues = input.error.issues.map((i) => ({ path: i.path.join(".") || "template", message: i.message }));
    throw new AppError("invalid_request", `the template makes a run that is refused: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
  }
  return input.data;
}

/**
 * Starts a run from a template, as `principal`, through the same path as POST /api/runs
 * (submitRun: executor offered, limits, the principal's right to start runs on the repository).
 * Another team's template is 404.
 */
export async function startRunFromTemplate(
  app: App,
  principal: Principal,
  templateId: string,
  variables: unknown,
  opts: StartFromTemplateOptions = {},
): Promise<{ run: RunView; replayed: boolean }> {
  activeTeam(principal, "Template");
  const template = await getTemplate(app, principal, templateId);
  const input = runInputOf(template, variables);
  return submitRun(app, principal, input, { ...opts, templateId: template.id });
}

/**
 * A schedule's tick (lib/services/scheduleTick.ts): the run input its template gives now with
 * the schedule's variable values; an AppError says why none (template gone or no longer valid).
 */
export async function scheduledRunInput(app: Pick<App, "db">, teamId: string, templateId: string, variables: unknown) {
  const [found] = await selectTemplates(app)
    .where(and(eq(runTemplate.id, templateId), eq(runTemplate.teamId, teamId)))
    .limit(1);
  if (!found) throw new AppError("not_found", "the schedule's run template no longer exists");
  return runInputOf(templateView(found.template, found.repoName, found.creatorEmail), variables);
}

/** The template's name for a run page ("from template …"); null when it was deleted. */
export async function templateNameOf(app: Pick<App, "db">, teamId: string, id: string): Promise<string | null> {
  const [row] = await app.db
    .select({ name: runTemplate.name })
    .from(runTemplate)
    .where(and(eq(runTemplate.id, id), eq(runTemplate.teamId, teamId)))
    .limit(1);
  return row?.name ?? null;
}
