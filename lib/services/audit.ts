import crypto from "node:crypto";
import { and, desc, eq, gte, ilike, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { auditAction, auditDetails, auditSubjectTypes, type AuditAction, type AuditDetails, type AuditSubjectType } from "../auditActions";
import type { Db, Tx } from "../db/client";
import { auditEvent } from "../db/schema";
import { AppError } from "../errors";
import { isAdmin, type Principal } from "./principal";
import { assertActiveTeamAllows } from "./teams";

/**
 * The audit log (lib/auditActions.ts): `recordAudit` is its one writer, called by the service
 * that makes each decision inside the transaction of the change; `queryAudit` is its one
 * reader, behind the audit page, GET /api/audit and its CSV/JSON export alike.
 */

/** Who decided: their account and their email as it was then. */
export type AuditActor = { userId: string | null; email: string };
export type AuditSubject = { type: AuditSubjectType; id: string; label: string };

export type AuditEntry<A extends AuditAction> = {
  // Null for an instance-level act (only instance admins see those).
  teamId: string | null;
  actor: AuditActor;
  action: A;
  subject: AuditSubject;
  details: AuditDetails<A>;
};

export const actorOf = (principal: Pick<Principal, "userId" | "email">): AuditActor => ({ userId: principal.userId, email: principal.email });

/**
 * Records one decision. Pass the transaction that makes the change, so the row exists exactly
 * when the change does. Details that do not fit their action's schema are a programming error.
 */
export async function recordAudit<A extends AuditAction>(db: Db | Tx, entry: AuditEntry<A>): Promise<void> {
  const details = auditDetails[entry.action].parse(entry.details);
  await db.insert(auditEvent).values({
    id: crypto.randomUUID(),
    teamId: entry.teamId,
    actorId: entry.actor.userId,
    actorEmail: entry.actor.email,
    action: entry.action,
    subjectType: entry.subject.type,
    subjectId: entry.subject.id,
    // The label is for reading; a very long one (a run's title) is cut, its id stays whole.
    subjectLabel: entry.subject.label.slice(0, 300),
    details,
  });
}

// ---- reading ----

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
const day = z.iso.date("must be a date (YYYY-MM-DD)");

export const AUDIT_PAGE_SIZE = 50;
// An export holds every filtered row up to this many (a narrower filter gets the rest).
export const AUDIT_EXPORT_MAX = 50_000;

/** The audit page's filters, from its URL (and the API's query): 400 naming a bad one. */
export const auditFilter = z
  .object({
    // "instance": the instance-level rows (instance admins only); "team": the active team's.
    scope: z.preprocess(blankToUndefined, z.enum(["team", "instance"], { error: "must be team or instance" }).default("team")),
    action: optional(auditAction),
    // The actor's email (exact, any case).
    actor: optional(z.string().trim().toLowerCase().max(254)),
    subjectType: optional(z.enum(auditSubjectTypes)),
    // Matches a subject's id exactly or a part of its label.
    subject: optional(z.string().trim().max(200)),
    from: optional(day),
    to: optional(day),
    page: z.preprocess(blankToUndefined, z.coerce.number().int("must be a whole number").min(1).max(100_000).default(1)),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ["to"], message: "must not be before from" });
export type AuditFilter = z.infer<typeof auditFilter>;

export type AuditEventView = {
  id: string;
  at: string;
  teamId: string | null;
  actor: AuditActor;
  action: AuditAction;
  subject: AuditSubject;
  details: Record<string, unknown>;
};

export type AuditPage = { events: AuditEventView[]; page: number; pageSize: number; hasMore: boolean };

/** The rows this principal may read under the filter's scope: 403/404 before any query. */
function scopeCondition(principal: Principal, filter: AuditFilter): SQL {
  if (filter.scope === "instance") {
    if (!isAdmin(principal)) throw new AppError("forbidden", "Only an instance admin can read the instance's audit log");
    return isNull(auditEvent.teamId);
  }
  const team = assertActiveTeamAllows(principal, "manageMembers", "Audit log");
  return eq(auditEvent.teamId, team.id);
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const nextDay = (d: string) => new Date(new Date(`${d}T00:00:00Z`).getTime() + 86_400_000);

function filterConditions(filter: AuditFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.action) where.push(eq(auditEvent.action, filter.action));
  if (filter.actor) where.push(sql`lower(${auditEvent.actorEmail}) = ${filter.actor}`);
  if (filter.subjectType) where.push(eq(auditEvent.subjectType, filter.subjectType));
  if (filter.subject) {
    where.push(or(eq(auditEvent.subjectId, filter.subject), ilike(auditEvent.subjectLabel, `%${escapeLike(filter.subject)}%`))!);
  }
  // Dates are whole UTC days, both ends included.
  if (filter.from) where.push(gte(auditEvent.at, new Date(`${filter.from}T00:00:00Z`)));
  if (filter.to) where.push(lt(auditEvent.at, nextDay(filter.to)));
  return where;
}

/**
 * The audit rows the principal may read that match the filter, newest first: one page of
 * them (`limit` rows from the filter's page), or with `all` every row up to AUDIT_EXPORT_MAX.
 */
export async function queryAudit(app: { db: Db }, principal: Principal, filter: AuditFilter, opts: { all?: boolean } = {}): Promise<AuditPage> {
  const where = and(scopeCondition(principal, filter), ...filterConditions(filter));
  const pageSize = opts.all ? AUDIT_EXPORT_MAX : AUDIT_PAGE_SIZE;
  const offset = opts.all ? 0 : (filter.page - 1) * AUDIT_PAGE_SIZE;
  const rows = await app.db
    .select()
    .from(auditEvent)
    .where(where)
    .orderBy(desc(auditEvent.at), desc(auditEvent.id))
    .limit(pageSize + 1)
    .offset(offset);
  return {
    events: rows.slice(0, pageSize).map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      teamId: r.teamId,
      actor: { userId: r.actorId, email: r.actorEmail },
      action: r.action,
      subject: { type: r.subjectType, id: r.subjectId, label: r.subjectLabel },
      details: (r.details ?? {}) as Record<string, unknown>,
    })),
    page: opts.all ? 1 : filter.page,
    pageSize,
    hasMore: rows.length > pageSize,
  };
}

/** The distinct actors of the rows the principal may read (the page's actor filter). */
export async function auditActors(app: { db: Db }, principal: Principal, scope: AuditFilter["scope"]): Promise<string[]> {
  const rows = await app.db
    .selectDistinct({ email: auditEvent.actorEmail })
    .from(auditEvent)
    .where(scopeCondition(principal, { scope, page: 1 }))
    .orderBy(auditEvent.actorEmail)
    .limit(500);
  return rows.map((r) => r.email);
}
