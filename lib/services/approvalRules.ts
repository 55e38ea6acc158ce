import crypto from "node:crypto";
import { and, asc, eq, or } from "drizzle-orm";
import { z } from "zod";
import { mergeRules, ruleEffects, rulePattern, type ApprovalRules, type RuleEffect } from "../approval/rules";
import type { Tx } from "../db/client";
import { approvalRule, user } from "../db/schema";
import { fieldError, notFound } from "../errors";
import type { App } from "../server/app";
import { actorOf, recordAudit } from "./audit";
import type { Principal } from "./principal";
import { repoFor } from "./repos";

export const createRuleInput = z.object({
  pattern: rulePattern,
  effect: z.enum(ruleEffects, { error: "must be allow, ask or deny" }),
});
export type CreateRuleInput = z.infer<typeof createRuleInput>;

export type RuleView = {
  id: string;
  scope: "repo" | "user";
  pattern: string;
  effect: RuleEffect;
  createdBy: string | null;
  createdAt: string;
};

type Scope = { scope: "repo" | "user"; scopeId: string };
// Where a change of the scope's rules is audited: the repository's team and name, or for a
// person's own rules the team they work in (their rules apply to their runs there).
type AuditedScope = Scope & { teamId: string | null; where: string };

const ruleIdSchema = z.uuid();

async function listScope(app: Pick<App, "db">, { scope, scopeId }: Scope): Promise<RuleView[]> {
  const rows = await app.db
    .select({ rule: approvalRule, by: user.email })
    .from(approvalRule)
    .leftJoin(user, eq(user.id, approvalRule.createdBy))
    .where(and(eq(approvalRule.scope, scope), eq(approvalRule.scopeId, scopeId)))
    .orderBy(asc(approvalRule.createdAt), asc(approvalRule.id));
  return rows.map(({ rule, by }) => ({
    id: rule.id,
    scope: rule.scope,
    pattern: rule.pattern,
    effect: rule.effect,
    createdBy: by,
    createdAt: rule.createdAt.toISOString(),
  }));
}

function auditRule(tx: Tx, principal: Principal, target: AuditedScope, action: "rule.create" | "rule.delete", rule: typeof approvalRule.$inferSelect) {
  return recordAudit(tx, {
    teamId: target.teamId,
    actor: actorOf(principal),
    action,
    subject: { type: "rule", id: rule.id, label: `${rule.effect} ${rule.pattern} (${target.where})` },
    details: { scope: rule.scope, pattern: rule.pattern, effect: rule.effect },
  });
}

async function addToScope(app: Pick<App, "db">, principal: Principal, target: AuditedScope, input: CreateRuleInput): Promise<RuleView> {
  const row = await app.db.transaction(async (tx) => {
    const [made] = await tx
      .insert(approvalRule)
      .values({ id: crypto.randomUUID(), scope: target.scope, scopeId: target.scopeId, pattern: input.pattern, effect: input.effect, createdBy: principal.userId })
      .onConflictDoNothing()
      .returning();
    if (made) await auditRule(tx, principal, target, "rule.create", made);
    return made;
  });
  if (!row) throw fieldError("pattern", `there is already a ${input.effect} rule \`${input.pattern}\``, "conflict");
  return { id: row.id, scope: row.scope, pattern: row.pattern, effect: row.effect, createdBy: principal.email, createdAt: row.createdAt.toISOString() };
}

async function deleteFromScope(app: Pick<App, "db">, principal: Principal, target: AuditedScope, id: string): Promise<void> {
  if (!ruleIdSchema.safeParse(id).success) throw notFound("Rule");
  const deleted = await app.db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(approvalRule)
      .where(and(eq(approvalRule.id, id), eq(approvalRule.scope, target.scope), eq(approvalRule.scopeId, target.scopeId)))
      .returning();
    if (gone) await auditRule(tx, principal, target, "rule.delete", gone);
    return gone;
  });
  if (!deleted) throw notFound("Rule");
}

/** A repository of the principal's team: its members read its rules, its admins change them. */
async function repoScope(app: Pick<App, "db">, principal: Principal, name: string, action: "read" | "manage"): Promise<AuditedScope> {
  const repo = await repoFor(app, principal, name, action);
  return { scope: "repo", scopeId: repo.id, teamId: repo.teamId, where: `repository ${repo.name}` };
}

const userScope = (principal: Principal): AuditedScope => ({
  scope: "user",
  scopeId: principal.userId,
  teamId: principal.team?.id ?? null,
  where: `personal rule of ${principal.email}`,
});

/** A repository's rules apply to everyone's runs on it, so every member of its team may read them. */
export const listRepoRules = async (app: Pick<App, "db">, principal: Principal, repoName: string) =>
  listScope(app, await repoScope(app, principal, repoName, "read"));

export async function addRepoRule(app: Pick<App, "db">, principal: Principal, repoName: string, input: CreateRuleInput) {
  return addToScope(app, principal, await repoScope(app, principal, repoName, "manage"), input);
}

export async function deleteRepoRule(app: Pick<App, "db">, principal: Principal, repoName: string, id: string) {
  await deleteFromScope(app, principal, await repoScope(app, principal, repoName, "manage"), id);
}

/** A user's own rules; another user's rule is "not found", never "forbidden". */
export const listUserRules = (app: Pick<App, "db">, principal: Principal) => listScope(app, userScope(principal));

export const addUserRule = (app: Pick<App, "db">, principal: Principal, input: CreateRuleInput) =>
  addToScope(app, principal, userScope(principal), input);

export const deleteUserRule = (app: Pick<App, "db">, principal: Principal, id: string) =>
  deleteFromScope(app, principal, userScope(principal), id);

/** The rules a new run goes by: its repository's and its user's, merged (deny still wins). */
export async function effectiveRules(app: Pick<App, "db">, userId: string, repositoryId: string): Promise<ApprovalRules> {
  const rows = await app.db
    .select({ pattern: approvalRule.pattern, effect: approvalRule.effect })
    .from(approvalRule)
    .where(
      or(
        and(eq(approvalRule.scope, "repo"), eq(approvalRule.scopeId, repositoryId)),
        and(eq(approvalRule.scope, "user"), eq(approvalRule.scopeId, userId)),
      ),
    )
    .orderBy(asc(approvalRule.createdAt), asc(approvalRule.id));
  return mergeRules(rows);
}
