import crypto from "node:crypto";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { writeAcpAgentRegistry } from "../acpAgentRegistry";
import { acpAgentRegistryKey, slugName, type AcpAgentSpec } from "../contracts/executorSpecs";
import { activeStatuses } from "../contracts/runLifecycle";
import type { Db } from "../db/client";
import { acpAgent, run, schedule, user } from "../db/schema";
import { AppError, fieldError, notFound } from "../errors";
import { acpAgentCatalog, type AcpAgentChoice } from "../executors";
import type { App } from "../server/app";
import { liveWorkers } from "../workerDirectory";
import type { AuditDetails } from "../auditActions";
import { actorOf, recordAudit } from "./audit";
import { isAdmin, type Principal } from "./principal";
import { programArgs, programCommand, programEnvNames } from "./programInputs";

/**
 * The ACP agents an admin registers (Goose, Gemini CLI, Claude via ACP, Codex, …): what a run of
 * executor `acp` may start in its sandbox. The database holds them; every change is published
 * to Redis for the job processes in the same step (see publishRegistry), and a run's job carries
 * the spec of its agent (lib/services/runPayload.ts).
 */

export const createAcpAgentInput = z.object({
  name: slugName,
  description: z.string().trim().max(500).optional(),
  command: programCommand,
  args: programArgs.optional(),
  envNames: programEnvNames.optional(),
});
export type CreateAcpAgentInput = z.infer<typeof createAcpAgentInput>;

/** A change: the fields given replace the stored ones. The name stays: runs and schedules refer to it. */
export const updateAcpAgentInput = createAcpAgentInput.omit({ name: true }).partial();
export type UpdateAcpAgentInput = z.infer<typeof updateAcpAgentInput>;

export type AcpAgentView = {
  id: string;
  name: string;
  description: string;
  command: string;
  args: string[];
  envNames: string[];
  createdBy: string | null;
  createdAt: string;
};

/** An agent as the admin page and GET /api/admin/acp-agents show it: with whether a job process can start it. */
export type AcpAgentStatusView = AcpAgentView & Pick<AcpAgentChoice, "available" | "unavailableReason" | "offeredBy">;

type Row = typeof acpAgent.$inferSelect;
type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

const specOf = (row: Pick<Row, "name" | "command" | "args" | "envNames">): AcpAgentSpec => ({
  name: row.name,
  command: row.command,
  args: row.args,
  envNames: row.envNames,
});

function viewOf(row: Row, createdBy: string | null): AcpAgentView {
  return { id: row.id, ...specOf(row), description: row.description, createdBy, createdAt: row.createdAt.toISOString() };
}

function assertAdmin(principal: Principal): void {
  if (!isAdmin(principal)) throw new AppError("forbidden", "Only an admin can manage ACP agents");
}

/**
 * A change to the registry and its publication to Redis, all or nothing: the table is locked
 * for writes while the change is made and the whole registry written to Redis, so concurrent
 * changes publish in the order they commit, and a Redis that cannot take it (503) undoes the
 * change. (The start-up publication repairs the rare commit that fails after its publication.)
 */
async function changeRegistry<T>(app: Pick<App, "db" | "redis" | "config">, change: (tx: Tx) => Promise<T>): Promise<T> {
  return app.db.transaction(async (tx) => {
    await tx.execute(sql`lock table ${acpAgent} in share row exclusive mode`);
    const result = await change(tx);
    const rows = await tx.select().from(acpAgent).orderBy(asc(acpAgent.name));
    await writeAcpAgentRegistry(app.redis, app.config.redisPrefix, rows.map(specOf));
    return result;
  });
}

/** Publishes the registry as the database holds it (web start-up; see lib/server/background.ts). */
export async function publishAcpAgents(app: Pick<App, "db" | "redis" | "config">): Promise<number> {
  return changeRegistry(app, async (tx) => (await tx.select({ id: acpAgent.id }).from(acpAgent)).length);
}

/**
 * Publishes the registry again when Redis no longer holds it (restarted without persistence,
 * flushed): job processes would otherwise offer no agent until the next change or web start.
 * True when it had to.
 */
export async function republishAcpAgentsIfLost(app: Pick<App, "db" | "redis" | "config">): Promise<boolean> {
  if ((await app.redis.exists(acpAgentRegistryKey(app.config.redisPrefix))) === 1) return false;
  await publishAcpAgents(app);
  return true;
}

async function rowsWithCreator(db: Pick<Db, "select">, name?: string) {
  return db
    .select({ agent: acpAgent, by: user.email })
    .from(acpAgent)
    .leftJoin(user, eq(user.id, acpAgent.createdBy))
    .where(name === undefined ? undefined : eq(acpAgent.name, name))
    .orderBy(asc(acpAgent.name));
}

export async function listAcpAgents(app: Pick<App, "db">, principal: Principal): Promise<AcpAgentView[]> {
  assertAdmin(principal);
  return (await rowsWithCreator(app.db)).map((r) => viewOf(r.agent, r.by));
}

/** The registry with what the live job processes say about each agent (admins only). */
export async function listAcpAgentsWithStatus(app: Pick<App, "db" | "redis" | "config">, principal: Principal): Promise<AcpAgentStatusView[]> {
  const agents = await listAcpAgents(app, principal);
  const choices = acpAgentCatalog(await liveWorkers(app.redis, app.config.redisPrefix), agents);
  return agents.map((agent, i) => {
    const { available, unavailableReason, offeredBy } = choices[i]!;
    return { ...agent, available, offeredBy, ...(unavailableReason ? { unavailableReason } : {}) };
  });
}

/** What anyone starting a run may know of the registry: the names and descriptions to pick from. */
export async function acpAgentNames(app: Pick<App, "db">): Promise<{ name: string; description: string }[]> {
  return app.db.select({ name: acpAgent.name, description: acpAgent.description }).from(acpAgent).orderBy(asc(acpAgent.name));
}

/** The spec a run's job carries for its agent, or null when no agent has that name (any more). */
export async function acpAgentSpecByName(app: Pick<App, "db">, name: string): Promise<AcpAgentSpec | null> {
  const [row] = await app.db.select().from(acpAgent).where(eq(acpAgent.name, name)).limit(1);
  return row ? specOf(row) : null;
}

/** ACP agents are the install's (job processes run them), so their changes are instance-level rows. */
function auditAgent<A extends "acp_agent.create" | "acp_agent.update" | "acp_agent.delete">(
  tx: Tx,
  principal: Principal,
  agent: { id: string; name: string },
  action: A,
  details: AuditDetails<A>,
) {
  return recordAudit(tx, { teamId: null, actor: actorOf(principal), action, subject: { type: "acp_agent", id: agent.id, label: agent.name }, details });
}

export async function createAcpAgent(
  app: Pick<App, "db" | "redis" | "config">,
  principal: Principal,
  input: CreateAcpAgentInput,
): Promise<AcpAgentView> {
  assertAdmin(principal);
  const row = await changeRegistry(app, async (tx) => {
    const [inserted] = await tx
      .insert(acpAgent)
      .values({
        id: crypto.randomUUID(),
        name: input.name,
        description: input.description ?? "",
        command: input.command,
        args: input.args ?? [],
        envNames: input.envNames ?? [],
        createdBy: principal.userId,
      })
      .onConflictDoNothing({ target: acpAgent.name })
      .returning();
    if (!inserted) throw fieldError("name", `an ACP agent named "${input.name}" is already registered`, "conflict");
    await auditAgent(tx, principal, inserted, "acp_agent.create", { command: inserted.command });
    return inserted;
  });
  return viewOf(row, principal.email);
}

export async function updateAcpAgent(
  app: Pick<App, "db" | "redis" | "config">,
  principal: Principal,
  name: string,
  input: UpdateAcpAgentInput,
): Promise<AcpAgentView> {
  assertAdmin(principal);
  await changeRegistry(app, async (tx) => {
    const changes = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
    const updated =
      Object.keys(changes).length > 0
        ? await tx.update(acpAgent).set(changes).where(eq(acpAgent.name, name)).returning({ id: acpAgent.id })
        : await tx.select({ id: acpAgent.id }).from(acpAgent).where(eq(acpAgent.name, name));
    if (updated.length === 0) throw notFound("ACP agent");
    if (Object.keys(changes).length > 0) await auditAgent(tx, principal, { id: updated[0]!.id, name }, "acp_agent.update", { changed: Object.keys(changes) });
  });
  const [found] = await rowsWithCreator(app.db, name);
  if (!found) throw notFound("ACP agent");
  return viewOf(found.agent, found.by);
}

const LISTED = 5;

/** "a, b, c and 2 more" */
function listed(items: string[]): string {
  const shown = items.slice(0, LISTED).join(", ");
  return items.length > LISTED ? `${shown} and ${items.length - LISTED} more` : shown;
}

/**
 * Removes an agent, refused (409, naming them) while a schedule would start it or a run not yet
 * finished may still start it (queued, running, waiting for input). A run awaiting review keeps
 * its diff; asking it for changes then fails saying its agent is gone.
 */
export async function deleteAcpAgent(app: Pick<App, "db" | "redis" | "config">, principal: Principal, name: string): Promise<void> {
  assertAdmin(principal);
  await changeRegistry(app, async (tx) => {
    const [found] = await tx.select({ id: acpAgent.id }).from(acpAgent).where(eq(acpAgent.name, name));
    if (!found) throw notFound("ACP agent");
    const schedules = await tx
      .select({ name: schedule.name })
      .from(schedule)
      .where(sql`${schedule.template}->>'acpAgent' = ${name}`)
      .orderBy(asc(schedule.name));
    const runs = await tx
      .select({ id: run.id, title: run.title })
      .from(run)
      .where(and(eq(run.acpAgent, name), inArray(run.status, [...activeStatuses])))
      .orderBy(asc(run.createdAt));
    if (schedules.length || runs.length) {
      const uses = [
        ...(schedules.length ? [`schedules ${listed(schedules.map((s) => `"${s.name}"`))}`] : []),
        ...(runs.length ? [`runs not finished yet ${listed(runs.map((r) => `${r.id.slice(0, 8)} ("${r.title}")`))}`] : []),
      ];
      throw new AppError(
        "conflict",
        `ACP agent "${name}" is still in use by ${uses.join(" and ")}; delete those schedules and let the runs finish (or cancel them) first`,
      );
    }
    await tx.delete(acpAgent).where(eq(acpAgent.id, found.id));
    await auditAgent(tx, principal, { id: found.id, name }, "acp_agent.delete", {});
  });
}
