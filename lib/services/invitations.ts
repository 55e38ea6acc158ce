import crypto from "node:crypto";
import { and, desc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Db } from "../db/client";
import { invitation, team, user } from "../db/schema";
import { AppError, fieldError, notFound } from "../errors";
import type { App } from "../server/app";
import { rolesManageableBy, teamRoles, type TeamRole } from "../teamRoles";
import { actorOf, recordAudit } from "./audit";
import type { Principal } from "./principal";
import { assertActiveTeamAllows } from "./teams";

/**
 * Invitations: after the first account, a new account needs a link an admin created (unless
 * OPEN_SIGNUP). Only the token's hash is stored; the link is shown once. A link is single use,
 * expires, may be bound to one email address, and brings the new account into the inviter's
 * team with the role it names. A team's admins invite (members and viewers; its owners any role).
 */

export const INVITATION_PREFIX = "adi_";
/**
 * The row that records the first account (it signed up without a link and became admin). Its
 * primary key is what makes "the first account" one account even when two sign up at once.
 */
export const FIRST_ACCOUNT_ID = "first-account";

export const createInvitationInput = z
  .object({
    email: z.email("must be an email address").max(254).optional(),
    teamRole: z.enum(teamRoles).optional(),
    // The older field: "user" joins as a member, "admin" as a team admin.
    role: z.enum(["user", "admin"]).optional(),
    expiresInHours: z.coerce.number().int().min(1).max(24 * 30).default(72),
  })
  .transform(({ role, teamRole, ...rest }) => ({ ...rest, teamRole: teamRole ?? (role === "admin" ? "admin" : "member") }) as const);

export type InvitationStatus = "pending" | "used" | "expired";

export type InvitationSummary = {
  id: string;
  email: string | null;
  teamRole: TeamRole;
  status: InvitationStatus;
  createdAt: Date;
  expiresAt: Date;
  createdBy: string | null;
  usedAt: Date | null;
  usedBy: string | null;
};

/** What the database keeps of an invitation token. */
export const invitationTokenHash = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

const normalizeEmail = (email: string) => email.trim().toLowerCase();

function statusOf(row: { usedAt: Date | null; expiresAt: Date }, now = new Date()): InvitationStatus {
  if (row.usedAt) return "used";
  return row.expiresAt.getTime() <= now.getTime() ? "expired" : "pending";
}

/** The inviter's team: its admins manage its invitations (another team's are not found). */
const invitingTeam = (principal: Principal) => assertActiveTeamAllows(principal, "manageMembers", "Team");

export function invitationUrl(appUrl: string, token: string): string {
  return `${appUrl}/sign-up?invite=${encodeURIComponent(token)}`;
}

/** Creates an invitation; the token (and the link holding it) is returned this once. */
export async function createInvitation(
  app: Pick<App, "db" | "config">,
  principal: Principal,
  input: z.infer<typeof createInvitationInput>,
): Promise<InvitationSummary & { token: string; url: string }> {
  const team = invitingTeam(principal);
  if (!rolesManageableBy(team.role).includes(input.teamRole)) {
    throw fieldError("teamRole", `a team ${team.role} cannot invite someone as ${input.teamRole}; only an owner can`, "forbidden");
  }
  const token = INVITATION_PREFIX + crypto.randomBytes(32).toString("base64url");
  const row = await app.db.transaction(async (tx) => {
    const [made] = await tx
      .insert(invitation)
      .values({
        id: crypto.randomUUID(),
        tokenHash: invitationTokenHash(token),
        email: input.email ? normalizeEmail(input.email) : null,
        teamId: team.id,
        teamRole: input.teamRole,
        createdBy: principal.userId,
        expiresAt: new Date(Date.now() + input.expiresInHours * 3600_000),
      })
      .returning();
    await recordAudit(tx, {
      teamId: team.id,
      actor: actorOf(principal),
      action: "invitation.create",
      subject: invitationSubject(made!),
      details: { email: made!.email, role: made!.teamRole, expiresAt: made!.expiresAt.toISOString() },
    });
    return made;
  });
  return {
    token,
    url: invitationUrl(app.config.appUrl, token),
    id: row!.id,
    email: row!.email,
    teamRole: row!.teamRole,
    status: "pending",
    createdAt: row!.createdAt,
    expiresAt: row!.expiresAt,
    createdBy: principal.email,
    usedAt: null,
    usedBy: null,
  };
}

/** The team's invitations, newest first, with who created and who used each. */
export async function listInvitations(app: Pick<App, "db">, principal: Principal): Promise<InvitationSummary[]> {
  const team = invitingTeam(principal);
  const creator = alias(user, "creator");
  const invitee = alias(user, "invitee");
  const rows = await app.db
    .select({
      id: invitation.id,
      email: invitation.email,
      teamRole: invitation.teamRole,
      createdAt: invitation.createdAt,
      expiresAt: invitation.expiresAt,
      usedAt: invitation.usedAt,
      createdBy: creator.email,
      usedBy: invitee.email,
    })
    .from(invitation)
    .leftJoin(creator, eq(creator.id, invitation.createdBy))
    .leftJoin(invitee, eq(invitee.id, invitation.usedBy))
    .where(and(ne(invitation.id, FIRST_ACCOUNT_ID), eq(invitation.teamId, team.id)))
    .orderBy(desc(invitation.createdAt));
  const now = new Date();
  return rows.map((r) => ({ ...r, status: statusOf(r, now) }));
}

const invitationSubject = (row: { id: string; email: string | null; teamRole: TeamRole }) => ({
  type: "invitation" as const,
  id: row.id,
  label: `${row.email ?? "anyone with the link"} as ${row.teamRole}`,
});

/** Revokes (deletes) an unused invitation; its link stops working at once. */
export async function revokeInvitation(app: Pick<App, "db">, principal: Principal, id: string): Promise<void> {
  const team = invitingTeam(principal);
  if (id === FIRST_ACCOUNT_ID) throw notFound("Invitation");
  const ofTeam = and(eq(invitation.id, id), eq(invitation.teamId, team.id));
  const deleted = await app.db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(invitation)
      .where(and(ofTeam, isNull(invitation.usedAt)))
      .returning();
    if (gone) {
      await recordAudit(tx, {
        teamId: team.id,
        actor: actorOf(principal),
        action: "invitation.revoke",
        subject: invitationSubject(gone),
        details: { email: gone.email, role: gone.teamRole },
      });
    }
    return gone;
  });
  if (deleted) return;
  const [existing] = await app.db.select({ id: invitation.id }).from(invitation).where(ofTeam);
  if (existing) throw new AppError("conflict", "This invitation has already been used; the account it created stays");
  throw notFound("Invitation");
}

export type InvitationView = {
  status: InvitationStatus | "unknown";
  email: string | null;
  teamRole: TeamRole | null;
  teamName: string | null;
  invitedBy: { name: string; email: string } | null;
  expiresAt: Date | null;
};

/** What the sign-up page shows about a link: whether it is good, who sent it, for which address. */
export async function describeInvitation(db: Db, token: string): Promise<InvitationView> {
  const unknown: InvitationView = { status: "unknown", email: null, teamRole: null, teamName: null, invitedBy: null, expiresAt: null };
  if (!token.startsWith(INVITATION_PREFIX) || token.length > 200) return unknown;
  const [row] = await db
    .select({
      email: invitation.email,
      teamRole: invitation.teamRole,
      teamName: team.name,
      usedAt: invitation.usedAt,
      expiresAt: invitation.expiresAt,
      inviterName: user.name,
      inviterEmail: user.email,
    })
    .from(invitation)
    .leftJoin(user, eq(user.id, invitation.createdBy))
    .leftJoin(team, eq(team.id, invitation.teamId))
    .where(eq(invitation.tokenHash, invitationTokenHash(token)));
  if (!row) return unknown;
  return {
    status: statusOf(row),
    email: row.email,
    teamRole: row.teamRole,
    teamName: row.teamName,
    invitedBy: row.inviterEmail ? { name: row.inviterName ?? row.inviterEmail, email: row.inviterEmail } : null,
    expiresAt: row.expiresAt,
  };
}

/** Why a link cannot be used by this email address, in words for the person signing up; null if it can. */
export function invitationProblem(view: InvitationView, email: string | undefined): string | null {
  switch (view.status) {
    case "unknown":
      return "This invitation link is not valid (it may have been revoked). Ask an admin for a new one.";
    case "used":
      return "This invitation link has already been used. Ask an admin for a new one.";
    case "expired":
      return "This invitation link has expired. Ask an admin for a new one.";
    case "pending":
      if (view.email && email !== undefined && normalizeEmail(email) !== view.email) {
        return `This invitation is for ${view.email}; sign up with that address.`;
      }
      return null;
  }
}

/**
 * Uses up an invitation for an email address in one statement, so two sign-ups racing on one
 * link cannot both get it. Returns its id and role, or null when it is unknown, used, expired
 * or bound to another address.
 */
export async function consumeInvitation(
  db: Db,
  token: string,
  email: string,
): Promise<{ id: string; teamId: string | null; teamRole: TeamRole } | null> {
  if (!token.startsWith(INVITATION_PREFIX) || token.length > 200) return null;
  const [row] = await db
    .update(invitation)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(invitation.tokenHash, invitationTokenHash(token)),
        isNull(invitation.usedAt),
        gt(invitation.expiresAt, sql`now()`),
        sql`(${invitation.email} is null or ${invitation.email} = ${normalizeEmail(email)})`,
      ),
    )
    .returning({ id: invitation.id, teamId: invitation.teamId, teamRole: invitation.teamRole });
  return row ?? null;
}

/**
 * Claims the first account: true for exactly one caller, and only while there is no user. The
 * claim is a row with a fixed primary key, so of two sign-ups at once one inserts it and the
 * other finds it there (a database constraint, not a read-then-write).
 */
export async function claimFirstAccount(db: Db): Promise<boolean> {
  const result = await db.execute(sql`
    insert into ${invitation} (id, token_hash, team_role, expires_at, used_at)
    select ${FIRST_ACCOUNT_ID}, ${FIRST_ACCOUNT_ID}, 'owner', now(), now()
    where not exists (select 1 from ${user})
    on conflict do nothing
    returning id`);
  return rowsOf(result).length > 0;
}

// node-postgres returns { rows }, PGlite returns { rows } too; both through drizzle's execute.
function rowsOf(result: unknown): unknown[] {
  return (result as { rows?: unknown[] }).rows ?? [];
}

/** Records which account an invitation (or the first-account claim) created. */
export async function recordInvitationUse(db: Db, invitationId: string, userId: string): Promise<void> {
  await db.update(invitation).set({ usedBy: userId }).where(eq(invitation.id, invitationId));
}

export async function anyUserExists(db: Db): Promise<boolean> {
  const rows = await db.select({ id: user.id }).from(user).limit(1);
  return rows.length > 0;
}

// Single sign-on has no link to carry a token: an invitation bound to the person's (verified)
// address is what lets them in.
const pendingFor = (email: string) =>
  and(eq(invitation.email, normalizeEmail(email)), isNull(invitation.usedAt), gt(invitation.expiresAt, sql`now()`));

/** Whether a pending invitation is bound to this address. */
export async function hasPendingInvitationFor(db: Db, email: string): Promise<boolean> {
  const rows = await db.select({ id: invitation.id }).from(invitation).where(pendingFor(email)).limit(1);
  return rows.length > 0;
}

/**
 * Uses up the oldest pending invitation bound to this address in one statement (the inner
 * select finds it, the outer update claims it only while it is still unused), so two sign-ins
 * at once cannot both use one invitation. Returns its id and role, or null.
 */
export async function consumeInvitationFor(db: Db, email: string): Promise<{ id: string; teamId: string | null; teamRole: TeamRole } | null> {
  const oldest = db.select({ id: invitation.id }).from(invitation).where(pendingFor(email)).orderBy(invitation.createdAt).limit(1);
  const [row] = await db
    .update(invitation)
    .set({ usedAt: new Date() })
    .where(and(eq(invitation.id, sql`(${oldest})`), isNull(invitation.usedAt)))
    .returning({ id: invitation.id, teamId: invitation.teamId, teamRole: invitation.teamRole });
  return row ?? null;
}
