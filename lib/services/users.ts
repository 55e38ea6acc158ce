import { and, count, desc, eq, isNull, max, notInArray, sql } from "drizzle-orm";
import { z } from "zod";
import { terminalStatuses } from "../contracts/runLifecycle";
import type { Db } from "../db/client";
import { apiToken, approvalRule, run, schedule, session, user } from "../db/schema";
import { AppError } from "../errors";
import { announceAccessChanged } from "../server/accessHub";
import type { App } from "../server/app";
import { actorOf, recordAudit } from "./audit";
import { isAdmin, type Principal } from "./principal";

/**
 * The users page (/admin/users, /api/admin/users): every account with its role, state and
 * activity; an admin changes roles, disables and removes accounts. There is always at least
 * one admin who can sign in: the last active admin can be neither demoted nor disabled, and
 * nobody disables or removes their own account.
 */

export type UserView = {
  id: string;
  name: string;
  email: string;
  role: "admin" | "user";
  createdAt: Date;
  disabledAt: Date | null;
  /** Latest sign-in or session refresh (sessions refresh daily) or API token use; null: never. */
  lastSeenAt: Date | null;
  runs: number;
  unfinishedRuns: number;
};

export const updateUserInput = z
  .object({
    role: z.enum(["admin", "user"]).optional(),
    disabled: z.boolean().optional(),
  })
  .strict()
  .refine((v) => v.role !== undefined || v.disabled !== undefined, { message: "give role or disabled", path: ["role"] });
export type UpdateUserInput = z.infer<typeof updateUserInput>;

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

function assertAdmin(principal: Principal): void {
  if (!isAdmin(principal)) throw new AppError("forbidden", "Only an admin can manage users");
}

const latest = (...dates: (Date | string | null | undefined)[]) =>
  dates.reduce<Date | null>((best, d) => {
    if (!d) return best;
    const date = d instanceof Date ? d : new Date(d);
    return !best || date > best ? date : best;
  }, null);

export async function listUsers(app: Pick<App, "db">, principal: Principal): Promise<UserView[]> {
  assertAdmin(principal);
  const sessions = app.db
    .select({ userId: session.userId, at: max(session.updatedAt).as("session_at") })
    .from(session)
    .groupBy(session.userId)
    .as("s");
  const tokens = app.db
    .select({ userId: apiToken.userId, at: max(apiToken.lastUsedAt).as("token_at") })
    .from(apiToken)
    .groupBy(apiToken.userId)
    .as("k");
  const runs = app.db
    .select({
      userId: run.userId,
      all: count().as("runs_all"),
      unfinished: count(sql`case when ${notInArray(run.status, [...terminalStatuses])} then 1 end`).as("runs_unfinished"),
    })
    .from(run)
    .groupBy(run.userId)
    .as("r");
  const rows = await app.db
    .select({ user, sessionAt: sessions.at, tokenAt: tokens.at, runs: runs.all, unfinished: runs.unfinished })
    .from(user)
    .leftJoin(sessions, eq(sessions.userId, user.id))
    .leftJoin(tokens, eq(tokens.userId, user.id))
    .leftJoin(runs, eq(runs.userId, user.id))
    .orderBy(desc(user.createdAt));
  return rows.map((r) => ({
    id: r.user.id,
    name: r.user.name,
    email: r.user.email,
    role: r.user.role,
    createdAt: r.user.createdAt,
    disabledAt: r.user.disabledAt,
    lastSeenAt: latest(r.sessionAt, r.tokenAt),
    runs: Number(r.runs ?? 0),
    unfinishedRuns: Number(r.unfinished ?? 0),
  }));
}

/**
 * The target row, locked, and the admins who can sign in, also locked: two admins demoting
 * or disabling each other at once are ordered by the locks, so one of them is refused.
 */
async function lockTarget(tx: Tx, id: string) {
  const admins = await tx
    .select({ id: user.id })
    .from(user)
    .where(and(eq(user.role, "admin"), isNull(user.disabledAt)))
    .orderBy(user.id)
    .for("update");
  const [target] = await tx.select().from(user).where(eq(user.id, id)).for("update");
  if (!target) throw new AppError("not_found", "No such user");
  return { target, otherActiveAdmins: admins.filter((a) => a.id !== id).length };
}

const LAST_ADMIN = "At least one admin who can sign in must remain: make another account admin first";

/**
 * Changes a user's role and/or disables or re-enables the account. Disabling ends every session
 * of the account at once; its API tokens stop working on their next request (checked with every
 * request in lib/services/session.ts) and sign-in is refused (lib/auth.ts). Disabling or a new
 * role also ends the account's open live streams on every web process (lib/server/accessHub.ts):
 * they reconnect with what the account may now see, or not at all.
 */
export async function updateUser(
  app: Pick<App, "db" | "redis" | "config">,
  principal: Principal,
  id: string,
  input: UpdateUserInput,
): Promise<UserView> {
  assertAdmin(principal);
  const accessChanged = await app.db.transaction(async (tx) => {
    const { target, otherActiveAdmins } = await lockTarget(tx, id);
    const wasActiveAdmin = target.role === "admin" && !target.disabledAt;
    const role = input.role ?? target.role;
    const disabled = input.disabled ?? !!target.disabledAt;
    if (id === principal.userId && input.disabled) throw new AppError("conflict", "You cannot disable your own account");
    if (wasActiveAdmin && (role !== "admin" || disabled) && otherActiveAdmins === 0) throw new AppError("conflict", LAST_ADMIN);
    await tx
      .update(user)
      .set({ role, disabledAt: disabled ? (target.disabledAt ?? new Date()) : null, updatedAt: new Date() })
      .where(eq(user.id, id));
    if (disabled) await tx.delete(session).where(eq(session.userId, id));
    const changed = [...(role !== target.role ? ["role"] : []), ...(disabled !== !!target.disabledAt ? ["disabled"] : [])];
    if (changed.length > 0) {
      // An instance-level act: no team's log, the instance admins' one.
      await recordAudit(tx, {
        teamId: null,
        actor: actorOf(principal),
        action: "user.update",
        subject: { type: "user", id, label: target.email },
        details: { changed, role, disabled },
      });
    }
    return role !== target.role || (disabled && !target.disabledAt);
  });
  if (accessChanged) await announceAccessChanged(app, id);
  const view = (await listUsers(app, principal)).find((u) => u.id === id);
  if (!view) throw new AppError("not_found", "No such user");
  return view;
}

export type UserRemoval = { email: string; runsDeleted: number; schedulesDeleted: number };

/**
 * Removes an account and what is only theirs: sessions, API tokens, schedules, their own
 * approval rules and their runs (with those runs' events and diffs). Refused (409) while any
 * of their runs is unfinished, and for one's own account. Decisions they took on other
 * people's runs stay, under the email recorded with each. To keep their runs, disable the
 * account instead. Its open live streams end on every web process.
 */
export async function removeUser(app: Pick<App, "db" | "redis" | "config">, principal: Principal, id: string): Promise<UserRemoval> {
  assertAdmin(principal);
  if (id === principal.userId) throw new AppError("conflict", "You cannot remove your own account");
  const removal = await app.db.transaction(async (tx) => {
    const { target, otherActiveAdmins } = await lockTarget(tx, id);
    if (target.role === "admin" && !target.disabledAt && otherActiveAdmins === 0) throw new AppError("conflict", LAST_ADMIN);
    const [runs] = await tx
      .select({ all: count(), unfinished: count(sql`case when ${notInArray(run.status, [...terminalStatuses])} then 1 end`) })
      .from(run)
      .where(eq(run.userId, id));
    if ((runs?.unfinished ?? 0) > 0) {
      throw new AppError(
        "conflict",
        `${target.email} has ${runs!.unfinished} unfinished run${runs!.unfinished === 1 ? "" : "s"}; cancel or finish them first, or disable the account instead`,
      );
    }
    const [schedules] = await tx.select({ n: count() }).from(schedule).where(eq(schedule.userId, id));
    await tx.delete(approvalRule).where(and(eq(approvalRule.scope, "user"), eq(approvalRule.scopeId, id)));
    // Sessions, accounts, tokens, schedules and runs (with their events, diffs, requests) cascade.
    await tx.delete(user).where(eq(user.id, id));
    await recordAudit(tx, { teamId: null, actor: actorOf(principal), action: "user.remove", subject: { type: "user", id, label: target.email }, details: {} });
    return { email: target.email, runsDeleted: runs?.all ?? 0, schedulesDeleted: schedules?.n ?? 0 };
  });
  // Its sessions and tokens went with it; its open live streams end too.
  await announceAccessChanged(app, id);
  return removal;
}

/** Whether the account is disabled (sign-in refuses it). Unknown ids count as not disabled. */
export async function isUserDisabled(db: Db, id: string): Promise<boolean> {
  const [row] = await db.select({ disabledAt: user.disabledAt }).from(user).where(eq(user.id, id));
  return !!row?.disabledAt;
}

