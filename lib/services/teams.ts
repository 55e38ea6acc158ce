import crypto from "node:crypto";
import { and, asc, count, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { AuditDetails } from "../auditActions";
import type { Db, Tx } from "../db/client";
import { team, teamMember, user } from "../db/schema";
import { AppError, fieldError, notFound } from "../errors";
import { refusalFor, rolesManageableBy, teamAllows, teamRoles, type TeamAction, type TeamRole } from "../teamRoles";
import { announceAccessChanged } from "../server/accessHub";
import type { App } from "../server/app";
import { actorOf, recordAudit } from "./audit";
import { isAdmin, type ActiveTeam, type Principal } from "./principal";

/**
 * Teams and their members: the one writer of `team` and `team_member` (so the audit log can
 * record every change here), the active team of a request, and the guard every service of a
 * team's objects calls. What each role may do is in lib/teamRoles.ts.
 */

type DbOnly = { db: Db };
// Membership changes end the person's open live streams (lib/server/accessHub.ts): their next
// request sees the new team and role.
type WithStreams = DbOnly & Pick<App, "redis" | "config">;

export const FIRST_TEAM_NAME = "Default team";
export const FIRST_TEAM_SLUG = "default";

const teamName = z.string().trim().min(1, "give the team a name").max(80);
const teamSlug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, "use lowercase letters, digits and '-' (max 40)");

export const createTeamInput = z.object({
  name: teamName,
  slug: teamSlug.optional(),
  // The first owner: an existing account's email address.
  ownerEmail: z.email("must be an email address").max(254),
});
export const renameTeamInput = z.object({ name: teamName });
export const memberRoleInput = z.object({ role: z.enum(teamRoles) });
export const switchTeamInput = z.object({ teamId: z.string().trim().min(1, "is required").max(100) });

export type TeamSummary = { id: string; name: string; slug: string; createdAt: Date };
export type Membership = TeamSummary & { role: TeamRole };
export type TeamMemberView = { userId: string; name: string; email: string; role: TeamRole; joinedAt: Date; disabled: boolean };

/** The name's slug: lowercase words joined by dashes ("Platform Team" → "platform-team"). */
export function slugOf(name: string): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return slug || "team";
}

// ---- the guard: every service of a team's objects goes through these ----

/** The principal's active team, or 404 for `what` (a person in no team reaches nothing). */
export function activeTeam(principal: Principal, what: string): ActiveTeam {
  if (!principal.team) throw notFound(what);
  return principal.team;
}

/**
 * Whether the principal may do `action` on an object of team `teamId`: another team's object
 * (or no team) is 404 for `what`, too small a role or scope 403 naming the role needed.
 */
export function assertTeamAllows(principal: Principal, teamId: string, action: TeamAction, what: string): ActiveTeam {
  const active = principal.team;
  if (!active || active.id !== teamId) throw notFound(what);
  if (!teamAllows(active.role, principal.scope, action)) throw new AppError("forbidden", refusalFor(active.role, principal.scope, action));
  return active;
}

/** Like assertTeamAllows for the principal's own active team (creating something in it). */
export const assertActiveTeamAllows = (principal: Principal, action: TeamAction, what: string): ActiveTeam =>
  assertTeamAllows(principal, activeTeam(principal, what).id, action, what);

/** Whether the principal may do `action` in its active team (a page deciding what to offer). */
export const activeTeamAllows = (principal: Principal, action: TeamAction): boolean =>
  !!principal.team && teamAllows(principal.team.role, principal.scope, action);

// ---- resolving a request's team ----

/**
 * The team a person works in: the one they chose last (user.current_team_id) if they are still
 * in it, else their earliest membership; null when they are in no team.
 */
export async function resolveActiveTeam(app: DbOnly, userId: string): Promise<ActiveTeam | null> {
  const [row] = await app.db
    .select({ id: teamMember.teamId, role: teamMember.role })
    .from(teamMember)
    .innerJoin(user, eq(user.id, teamMember.userId))
    .where(eq(teamMember.userId, userId))
    .orderBy(sql`(${teamMember.teamId} = ${user.currentTeamId}) desc nulls last`, asc(teamMember.createdAt), asc(teamMember.teamId))
    .limit(1);
  return row ?? null;
}

/** The person's role in a team, or null when they are not in it. */
export async function membershipRole(app: DbOnly, teamId: string, userId: string): Promise<TeamRole | null> {
  const [row] = await app.db
    .select({ role: teamMember.role })
    .from(teamMember)
    .where(and(eq(teamMember.teamId, teamId), eq(teamMember.userId, userId)));
  return row?.role ?? null;
}

/** Every team the person is in, earliest joined first (the team switcher). */
export async function listMemberships(app: DbOnly, userId: string): Promise<Membership[]> {
  return app.db
    .select({ id: team.id, name: team.name, slug: team.slug, createdAt: team.createdAt, role: teamMember.role })
    .from(teamMember)
    .innerJoin(team, eq(team.id, teamMember.teamId))
    .where(eq(teamMember.userId, userId))
    .orderBy(asc(teamMember.createdAt), asc(team.id));
}

/** The team switcher: work in another of one's teams from now on (404 for a team one is not in). */
export async function switchTeam(app: WithStreams, principal: Principal, teamId: string): Promise<Membership> {
  const mine = (await listMemberships(app, principal.userId)).find((m) => m.id === teamId);
  if (!mine) throw notFound("Team");
  await app.db.update(user).set({ currentTeamId: teamId }).where(eq(user.id, principal.userId));
  if (principal.team?.id !== teamId) await announceAccessChanged(app, principal.userId);
  return mine;
}

// ---- teams ----

export async function teamById(app: DbOnly, id: string): Promise<TeamSummary | null> {
  const [row] = await app.db.select().from(team).where(eq(team.id, id));
  return row ?? null;
}

export async function teamBySlug(app: DbOnly, slug: string): Promise<TeamSummary | null> {
  const [row] = await app.db.select().from(team).where(eq(team.slug, slug));
  return row ?? null;
}

/**
 * The first team: the one the migration made for an existing install, or made here on a new
 * one. The first account becomes its owner; `npm run demo` registers its repository in it.
 */
export async function firstTeam(app: DbOnly): Promise<TeamSummary> {
  const [existing] = await app.db.select().from(team).orderBy(asc(team.createdAt), asc(team.id)).limit(1);
  if (existing) return existing;
  await app.db
    .insert(team)
    .values({ id: crypto.randomUUID(), name: FIRST_TEAM_NAME, slug: FIRST_TEAM_SLUG })
    .onConflictDoNothing({ target: team.slug });
  const [made] = await app.db.select().from(team).orderBy(asc(team.createdAt), asc(team.id)).limit(1);
  return made!;
}

/** A free slug for a new team: the name's, or with -2, -3… after it. */
async function freeSlug(app: DbOnly, base: string): Promise<string> {
  const taken = new Set(
    (await app.db.select({ slug: team.slug }).from(team).where(sql`${team.slug} = ${base} or ${team.slug} like ${base + "-%"}`)).map((r) => r.slug),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** An instance admin creates a team and names its first owner (an existing account). */
export async function createTeam(app: DbOnly, principal: Principal, input: z.infer<typeof createTeamInput>): Promise<TeamSummary> {
  if (!isAdmin(principal)) throw new AppError("forbidden", "Only an instance admin can create teams");
  const [owner] = await app.db.select({ id: user.id }).from(user).where(eq(user.email, input.ownerEmail.toLowerCase()));
  if (!owner) throw fieldError("ownerEmail", `no account has the address ${input.ownerEmail}`, "unprocessable");
  const slug = input.slug ?? (await freeSlug(app, slugOf(input.name)));
  return app.db.transaction(async (tx) => {
    const [made] = await tx
      .insert(team)
      .values({ id: crypto.randomUUID(), name: input.name, slug })
      .onConflictDoNothing({ target: team.slug })
      .returning();
    if (!made) throw fieldError("slug", `a team with the slug "${slug}" already exists`, "conflict");
    await tx.insert(teamMember).values({ teamId: made.id, userId: owner.id, role: "owner" });
    const actor = actorOf(principal);
    await recordAudit(tx, { teamId: made.id, actor, action: "team.create", subject: teamSubject(made), details: { name: made.name, slug: made.slug } });
    await recordAudit(tx, {
      teamId: made.id,
      actor,
      action: "member.join",
      subject: { type: "member", id: owner.id, label: input.ownerEmail.toLowerCase() },
      details: { role: "owner", via: "team-created" },
    });
    return made;
  });
}

export type TeamListEntry = TeamSummary & { members: number; owners: string[] };

/** Every team with its member count and owners (the instance admin's teams page). */
export async function listTeams(app: DbOnly, principal: Principal): Promise<TeamListEntry[]> {
  if (!isAdmin(principal)) throw new AppError("forbidden", "Only an instance admin can list every team");
  const teams = await app.db
    .select({ id: team.id, name: team.name, slug: team.slug, createdAt: team.createdAt, members: count(teamMember.userId) })
    .from(team)
    .leftJoin(teamMember, eq(teamMember.teamId, team.id))
    .groupBy(team.id)
    .orderBy(asc(team.createdAt), asc(team.id));
  const owners = await app.db
    .select({ teamId: teamMember.teamId, email: user.email })
    .from(teamMember)
    .innerJoin(user, eq(user.id, teamMember.userId))
    .where(eq(teamMember.role, "owner"))
    .orderBy(asc(user.email));
  return teams.map((t) => ({ ...t, owners: owners.filter((o) => o.teamId === t.id).map((o) => o.email) }));
}

/** An owner renames the active team. */
export async function renameTeam(app: DbOnly, principal: Principal, teamId: string, input: z.infer<typeof renameTeamInput>): Promise<TeamSummary> {
  assertTeamAllows(principal, teamId, "manageTeam", "Team");
  return app.db.transaction(async (tx) => {
    const [before] = await tx.select({ name: team.name }).from(team).where(eq(team.id, teamId)).for("update");
    const [row] = await tx.update(team).set({ name: input.name }).where(eq(team.id, teamId)).returning();
    if (!before || !row) throw notFound("Team");
    if (before.name !== row.name) {
      await recordAudit(tx, { teamId, actor: actorOf(principal), action: "team.rename", subject: teamSubject(row), details: { from: before.name, to: row.name } });
    }
    return row;
  });
}

// ---- members ----

/** The team's members, owners first (any member may read the list). */
export async function listMembers(app: DbOnly, principal: Principal, teamId: string): Promise<TeamMemberView[]> {
  assertTeamAllows(principal, teamId, "read", "Team");
  const rows = await app.db
    .select({ userId: user.id, name: user.name, email: user.email, role: teamMember.role, joinedAt: teamMember.createdAt, disabledAt: user.disabledAt })
    .from(teamMember)
    .innerJoin(user, eq(user.id, teamMember.userId))
    .where(eq(teamMember.teamId, teamId))
    .orderBy(asc(teamMember.createdAt), asc(user.email));
  const order = (r: TeamRole) => teamRoles.indexOf(r);
  return rows
    .map(({ disabledAt, ...r }) => ({ ...r, disabled: !!disabledAt }))
    .sort((a, b) => order(a.role) - order(b.role));
}

export type JoinVia = AuditDetails<"member.join">["via"];

/**
 * Puts a person in a team with a role (sign-up through an invitation, the first account, single
 * sign-on provisioning: `via`, for the audit log, where the person is the actor). Joining a
 * team one is already in changes nothing. A person in no team before starts working in this one.
 */
export async function joinTeam(app: DbOnly, teamId: string, userId: string, role: TeamRole, via: JoinVia): Promise<void> {
  await app.db.transaction(async (tx) => {
    const [joined] = await tx.insert(teamMember).values({ teamId, userId, role }).onConflictDoNothing().returning();
    const [person] = await tx
      .update(user)
      .set({ currentTeamId: sql`coalesce(${user.currentTeamId}, ${teamId})` })
      .where(eq(user.id, userId))
      .returning({ email: user.email });
    if (joined && person) {
      const me = { userId, email: person.email };
      await recordAudit(tx, { teamId, actor: me, action: "member.join", subject: memberSubject(me), details: { role, via } });
    }
  });
}

const teamSubject = (t: { id: string; name: string }) => ({ type: "team" as const, id: t.id, label: t.name });
const memberSubject = (m: { userId: string; email: string }) => ({ type: "member" as const, id: m.userId, label: m.email });

/** A manager's change to a member, audited with the member's email as it is now. */
async function auditMember<A extends "member.role_change" | "member.remove">(
  tx: Tx,
  principal: Principal,
  teamId: string,
  userId: string,
  action: A,
  details: AuditDetails<A>,
): Promise<void> {
  const [row] = await tx.select({ email: user.email }).from(user).where(eq(user.id, userId));
  const subject = memberSubject({ userId, email: row?.email ?? userId });
  await recordAudit(tx, { teamId, actor: actorOf(principal), action, subject, details });
}

async function otherOwners(app: DbOnly, teamId: string, userId: string): Promise<number> {
  const [row] = await app.db
    .select({ n: count() })
    .from(teamMember)
    .where(and(eq(teamMember.teamId, teamId), eq(teamMember.role, "owner"), sql`${teamMember.userId} <> ${userId}`));
  return row?.n ?? 0;
}

const LAST_OWNER = "A team needs at least one owner: make someone else an owner first";

/** The member a manager acts on: 404 outside the team, 403 for a role the manager may not touch. */
async function memberToManage(app: DbOnly, principal: Principal, teamId: string, userId: string): Promise<TeamRole> {
  const active = assertTeamAllows(principal, teamId, "manageMembers", "Team");
  const current = await membershipRole(app, teamId, userId);
  if (!current) throw notFound("Member");
  if (!rolesManageableBy(active.role).includes(current)) {
    throw new AppError("forbidden", refusalFor(active.role, principal.scope, "manageOwners"));
  }
  return current;
}

/** A team admin changes a member's role (admins: members and viewers; owners: anyone). */
export async function changeMemberRole(
  app: WithStreams,
  principal: Principal,
  teamId: string,
  userId: string,
  role: TeamRole,
): Promise<TeamMemberView> {
  const current = await memberToManage(app, principal, teamId, userId);
  if (!rolesManageableBy(principal.team!.role).includes(role)) {
    throw new AppError("forbidden", refusalFor(principal.team!.role, principal.scope, "manageOwners"));
  }
  if (current === "owner" && role !== "owner" && (await otherOwners(app, teamId, userId)) === 0) {
    throw new AppError("conflict", LAST_OWNER);
  }
  await app.db.transaction(async (tx) => {
    await tx.update(teamMember).set({ role }).where(and(eq(teamMember.teamId, teamId), eq(teamMember.userId, userId)));
    if (current !== role) await auditMember(tx, principal, teamId, userId, "member.role_change", { from: current, to: role });
  });
  if (role !== current) await announceAccessChanged(app, userId);
  return (await listMembers(app, principal, teamId)).find((m) => m.userId === userId)!;
}

/**
 * A team admin removes a member (admins: members and viewers; owners: anyone), or a member
 * leaves. The last owner stays. Their runs and schedules stay the team's; their tokens for the
 * team stop working.
 */
export async function removeMember(app: WithStreams, principal: Principal, teamId: string, userId: string): Promise<void> {
  // Anyone may leave; removing someone else takes a manager of their role.
  const leaving = userId === principal.userId;
  const current = leaving ? assertTeamAllows(principal, teamId, "read", "Team").role : await memberToManage(app, principal, teamId, userId);
  if (current === "owner" && (await otherOwners(app, teamId, userId)) === 0) throw new AppError("conflict", LAST_OWNER);
  await app.db.transaction(async (tx) => {
    const gone = await tx
      .delete(teamMember)
      .where(and(eq(teamMember.teamId, teamId), eq(teamMember.userId, userId)))
      .returning({ userId: teamMember.userId });
    if (gone.length > 0) await auditMember(tx, principal, teamId, userId, "member.remove", { role: current, left: leaving });
  });
  await announceAccessChanged(app, userId);
}
