import { and, eq, gte, lt, sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import { z } from "zod";
import {
  LIMITS_LOADED_FIELD,
  SPEND_KEY_TTL_SEC,
  TEAM_LIMIT_FIELD,
  budgetKeys,
  budgetScopes,
  limitUsd,
  monthOf,
  monthRange,
  userLimitField,
  type BudgetScope,
  type RunSpendEntry,
  type SpendingMonth,
} from "../contracts/budgets";
import type { Db } from "../db/client";
import { memberBudget, run, team, teamBudget, teamMember, user } from "../db/schema";
import { fieldError, notFound } from "../errors";
import { actorOf, recordAudit } from "./audit";
import type { Principal } from "./principal";
import { activeTeam, activeTeamAllows, assertActiveTeamAllows } from "./teams";

/**
 * Monthly spending limits of a team and its members: the one writer of `team_budget` and
 * `member_budget`, and of their mirror in Redis that the job processes read at each turn
 * boundary (lib/contracts/budgets.ts). The recorder calls `noteRunSpend` after projecting a
 * run's usage; start-up calls `rebuildBudgetMirror`, so a Redis that lost its keys learns the
 * limits again before anything relies on them.
 */

/** What writing the mirror needs: the web's App has all three, the recorder its own connection. */
export type BudgetMirror = { db: Db; redis: Redis; namespace: string };

export const mirrorOf = (app: { db: Db; redis: Redis; config: { redisPrefix: string } }): BudgetMirror => ({
  db: app.db,
  redis: app.redis,
  namespace: app.config.redisPrefix,
});

/** `{ scope, userId?, limitUsd }`: null removes the limit. */
export const setLimitInput = z
  .strictObject({
    scope: z.enum(budgetScopes),
    userId: z.string().trim().min(1).max(200).optional(),
    limitUsd: limitUsd.nullable(),
  })
  .superRefine((v, ctx) => {
    if (v.scope === "user" && !v.userId) ctx.addIssue({ code: "custom", path: ["userId"], message: "is required for a member's limit" });
    if (v.scope === "team" && v.userId) ctx.addIssue({ code: "custom", path: ["userId"], message: "applies to a member's limit only" });
  });
export type SetLimitInput = z.infer<typeof setLimitInput>;

/** Writes the team's limits into Redis as one step: the job never sees half of them. */
export async function loadTeamLimits(mirror: BudgetMirror, teamId: string): Promise<void> {
  const [teamRow] = await mirror.db.select({ limit: teamBudget.monthlyLimitUsd }).from(teamBudget).where(eq(teamBudget.teamId, teamId));
  const members = await mirror.db
    .select({ userId: memberBudget.userId, limit: memberBudget.monthlyLimitUsd })
    .from(memberBudget)
    .where(eq(memberBudget.teamId, teamId));
  const fields: Record<string, string> = { [LIMITS_LOADED_FIELD]: "1" };
  if (teamRow?.limit != null) fields[TEAM_LIMIT_FIELD] = String(teamRow.limit);
  for (const m of members) if (m.limit != null) fields[userLimitField(m.userId)] = String(m.limit);
  const key = budgetKeys(mirror.namespace).limits(teamId);
  await mirror.redis.multi().del(key).hset(key, fields).exec();
}

/**
 * Mirrors one run's cost so far into its team's month spend (its usage was just projected),
 * and loads the team's limits if Redis lost them. Idempotent: it writes the run's total.
 */
export async function noteRunSpend(mirror: BudgetMirror, runId: string): Promise<void> {
  const [row] = await mirror.db
    .select({ teamId: run.teamId, userId: run.userId, costUsd: run.costUsd, createdAt: run.createdAt })
    .from(run)
    .where(eq(run.id, runId));
  if (!row) return;
  const keys = budgetKeys(mirror.namespace);
  const spendKey = keys.spend(row.teamId, monthOf(row.createdAt));
  const entry: RunSpendEntry = { userId: row.userId, costUsd: row.costUsd };
  const [, , [, loaded]] = (await mirror.redis
    .multi()
    .hset(spendKey, runId, JSON.stringify(entry))
    .expire(spendKey, SPEND_KEY_TTL_SEC)
    .hget(keys.limits(row.teamId), LIMITS_LOADED_FIELD)
    .exec()) as [unknown, unknown, [unknown, string | null]];
  if (loaded !== "1") await loadTeamLimits(mirror, row.teamId);
}

/** Every team's limits, and the spend of this month's and last month's runs (runs of last month may still run). */
export async function rebuildBudgetMirror(mirror: BudgetMirror, now = new Date()): Promise<void> {
  const teams = await mirror.db.select({ id: team.id }).from(team);
  for (const t of teams) await loadTeamLimits(mirror, t.id);
  const thisMonth = monthOf(now);
  const lastMonth = monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)));
  const keys = budgetKeys(mirror.namespace);
  for (const month of [lastMonth, thisMonth]) {
    const { from, to } = monthRange(month);
    const rows = await mirror.db
      .select({ id: run.id, teamId: run.teamId, userId: run.userId, costUsd: run.costUsd })
      .from(run)
      .where(and(gte(run.createdAt, from), lt(run.createdAt, to), sql`${run.costUsd} > 0`));
    const byTeam = new Map<string, Record<string, string>>();
    for (const r of rows) {
      const fields = byTeam.get(r.teamId) ?? {};
      fields[r.id] = JSON.stringify({ userId: r.userId, costUsd: r.costUsd } satisfies RunSpendEntry);
      byTeam.set(r.teamId, fields);
    }
    for (const [teamId, fields] of byTeam) {
      const key = keys.spend(teamId, month);
      await mirror.redis.multi().hset(key, fields).expire(key, SPEND_KEY_TTL_SEC).exec();
    }
  }
}

export type MemberSpend = { userId: string; name: string; email: string; limitUsd: number | null; spendUsd: number };
export type BudgetOverview = {
  month: SpendingMonth;
  /** Whether the principal may change the limits (team admins and owners). */
  canManage: boolean;
  team: { limitUsd: number | null; spendUsd: number };
  /** Every member for an admin; only the principal's own line for anyone else. */
  members: MemberSpend[];
};

/** The team's limits and this month's spend against them, as the principal may see them. */
export async function budgetOverview(app: { db: Db }, principal: Principal, month: SpendingMonth = monthOf(new Date())): Promise<BudgetOverview> {
  const { id: teamId } = activeTeam(principal, "Team");
  const canManage = activeTeamAllows(principal, "manage");
  const { from, to } = monthRange(month);
  const [teamRow] = await app.db.select({ limit: teamBudget.monthlyLimitUsd }).from(teamBudget).where(eq(teamBudget.teamId, teamId));
  const spendRows = await app.db
    .select({ userId: run.userId, spend: sql<number>`coalesce(sum(${run.costUsd}), 0)`.mapWith(Number) })
    .from(run)
    .where(and(eq(run.teamId, teamId), gte(run.createdAt, from), lt(run.createdAt, to)))
    .groupBy(run.userId);
  const spendOf = new Map(spendRows.map((r) => [r.userId, r.spend]));
  const members = await app.db
    .select({ userId: teamMember.userId, name: user.name, email: user.email, limit: memberBudget.monthlyLimitUsd })
    .from(teamMember)
    .innerJoin(user, eq(user.id, teamMember.userId))
    .leftJoin(memberBudget, and(eq(memberBudget.teamId, teamMember.teamId), eq(memberBudget.userId, teamMember.userId)))
    .where(and(eq(teamMember.teamId, teamId), canManage ? undefined : eq(teamMember.userId, principal.userId)))
    .orderBy(user.email);
  return {
    month,
    canManage,
    team: { limitUsd: teamRow?.limit ?? null, spendUsd: spendRows.reduce((sum, r) => sum + r.spend, 0) },
    members: members.map((m) => ({ userId: m.userId, name: m.name, email: m.email, limitUsd: m.limit ?? null, spendUsd: spendOf.get(m.userId) ?? 0 })),
  };
}

export type SavedLimit = { scope: BudgetScope; userId: string | null; limitUsd: number | null };

/**
 * Sets (or with null removes) the team's limit or one member's, for team admins and owners;
 * mirrored into Redis at once, so the next turn boundary of every run sees it.
 */
export async function setSpendingLimit(
  app: { db: Db; redis: Redis; config: { redisPrefix: string } },
  principal: Principal,
  input: SetLimitInput,
): Promise<SavedLimit> {
  const { id: teamId } = assertActiveTeamAllows(principal, "manage", "Team");
  const values = { monthlyLimitUsd: input.limitUsd, updatedBy: principal.userId, updatedAt: new Date() };
  await app.db.transaction(async (tx) => {
    const fromUsd = await currentLimit({ db: tx }, teamId, input.scope, input.userId ?? "");
    let label = "the team";
    if (input.scope === "team") {
      await tx.insert(teamBudget).values({ teamId, ...values }).onConflictDoUpdate({ target: teamBudget.teamId, set: values });
    } else {
      const userId = input.userId!;
      const [member] = await tx
        .select({ userId: teamMember.userId, email: user.email })
        .from(teamMember)
        .innerJoin(user, eq(user.id, teamMember.userId))
        .where(and(eq(teamMember.teamId, teamId), eq(teamMember.userId, userId)));
      if (!member) throw notFound("Team member");
      label = member.email;
      await tx
        .insert(memberBudget)
        .values({ teamId, userId, ...values })
        .onConflictDoUpdate({ target: [memberBudget.teamId, memberBudget.userId], set: values });
    }
    if (fromUsd !== input.limitUsd) {
      await recordAudit(tx, {
        teamId,
        actor: actorOf(principal),
        action: "budget.set",
        subject: { type: "budget", id: input.scope === "team" ? teamId : input.userId!, label: `${label}, monthly` },
        details: { limit: input.scope, fromUsd, toUsd: input.limitUsd },
      });
    }
  });
  await loadTeamLimits(mirrorOf(app), teamId);
  return { scope: input.scope, userId: input.scope === "user" ? input.userId! : null, limitUsd: input.limitUsd };
}

/** A raise given in answer to a budget request must lift the limit at all. */
export function assertRaise(current: number | null, raised: number): void {
  if (current !== null && raised <= current) throw fieldError("limitUsd", `must be more than the current limit of $${current.toFixed(2)}`);
}

/** The limit in force now (null: none). */
export async function currentLimit(app: { db: Db }, teamId: string, scope: BudgetScope, userId: string): Promise<number | null> {
  if (scope === "team") {
    const [row] = await app.db.select({ limit: teamBudget.monthlyLimitUsd }).from(teamBudget).where(eq(teamBudget.teamId, teamId));
    return row?.limit ?? null;
  }
  const [row] = await app.db
    .select({ limit: memberBudget.monthlyLimitUsd })
    .from(memberBudget)
    .where(and(eq(memberBudget.teamId, teamId), eq(memberBudget.userId, userId)));
  return row?.limit ?? null;
}
