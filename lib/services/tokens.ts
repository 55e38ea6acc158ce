import crypto from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../db/client";
import { apiToken, team, teamMember, user } from "../db/schema";
import { fieldError, notFound } from "../errors";
import { scopeAtLeast, tokenScopes, type TokenScope } from "../teamRoles";
import type { App } from "../server/app";
import { actorOf, recordAudit } from "./audit";
import type { Principal } from "./principal";
import { activeTeam } from "./teams";
import { announceAccessChanged } from "../server/accessHub";

export const createTokenInput = z.object({
  name: z.string().trim().min(1, "give the token a name").max(100),
  // What the token may do at most (lib/teamRoles.ts); "admin": everything its user's roles allow.
  scope: z.enum(tokenScopes).default("admin"),
});

const TOKEN_PREFIX = "adk_";

const hashToken = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

export type TokenSummary = {
  id: string;
  name: string;
  prefix: string;
  scope: TokenScope;
  team: { id: string; name: string };
  createdAt: Date;
  lastUsedAt: Date | null;
};

/**
 * Creates a personal API token in the principal's active team. The token is returned once; only
 * its hash is stored. A token cannot make a token of a wider scope than its own.
 */
export async function createToken(
  app: Pick<App, "db">,
  principal: Principal,
  input: z.infer<typeof createTokenInput>,
): Promise<TokenSummary & { token: string }> {
  const inTeam = activeTeam(principal, "Team");
  if (!scopeAtLeast(principal.scope, input.scope)) {
    throw fieldError("scope", `a token of scope "${principal.scope}" cannot create one of scope "${input.scope}"`, "forbidden");
  }
  const [teamRow] = await app.db.select({ id: team.id, name: team.name }).from(team).where(eq(team.id, inTeam.id));
  if (!teamRow) throw notFound("Team");
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString("base64url");
  const row = {
    id: crypto.randomUUID(),
    userId: principal.userId,
    name: input.name,
    tokenHash: hashToken(token),
    prefix: token.slice(0, TOKEN_PREFIX.length + 6),
    teamId: teamRow.id,
    scope: input.scope,
  };
  const [created] = await app.db.transaction(async (tx) => {
    const made = await tx.insert(apiToken).values(row).returning();
    await auditToken(tx, principal, made[0]!, "token.create");
    return made;
  });
  return {
    token,
    id: created!.id,
    name: created!.name,
    prefix: created!.prefix,
    scope: created!.scope,
    team: teamRow,
    createdAt: created!.createdAt,
    lastUsedAt: null,
  };
}

/** The person's tokens, in every team. */
export async function listTokens(app: Pick<App, "db">, principal: Principal): Promise<TokenSummary[]> {
  return app.db
    .select({
      id: apiToken.id,
      name: apiToken.name,
      prefix: apiToken.prefix,
      scope: apiToken.scope,
      team: { id: team.id, name: team.name },
      createdAt: apiToken.createdAt,
      lastUsedAt: apiToken.lastUsedAt,
    })
    .from(apiToken)
    .innerJoin(team, eq(team.id, apiToken.teamId))
    .where(eq(apiToken.userId, principal.userId))
    .orderBy(desc(apiToken.createdAt));
}

function auditToken(tx: Tx, principal: Principal, token: typeof apiToken.$inferSelect, action: "token.create" | "token.revoke") {
  return recordAudit(tx, {
    teamId: token.teamId,
    actor: actorOf(principal),
    action,
    subject: { type: "token", id: token.id, label: `${token.name} (${token.prefix}…)` },
    details: { name: token.name, scope: token.scope },
  });
}

export async function revokeToken(app: Pick<App, "db" | "redis" | "config">, principal: Principal, id: string): Promise<void> {
  const deleted = await app.db.transaction(async (tx) => {
    const gone = await tx
      .delete(apiToken)
      .where(and(eq(apiToken.id, id), eq(apiToken.userId, principal.userId)))
      .returning();
    // Audited in the team the token worked in (its team's admins see who holds access).
    if (gone[0]) await auditToken(tx, principal, gone[0], "token.revoke");
    return gone;
  });
  if (deleted.length === 0) throw notFound("Token");
  // Streams opened with the token end now (on every web process); the person's other streams
  // end too and reconnect at once, as their session still holds.
  await announceAccessChanged(app, principal.userId);
}

/**
 * The principal a bearer token stands for, in the token's team with its user's role there and
 * the token's scope; null for an unknown or malformed token, or one whose user has left its team.
 */
export async function principalForToken(app: Pick<App, "db">, token: string): Promise<Principal | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const rows = await app.db
    .select({
      tokenId: apiToken.id,
      userId: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      disabledAt: user.disabledAt,
      lastUsedAt: apiToken.lastUsedAt,
      teamId: apiToken.teamId,
      teamRole: teamMember.role,
      scope: apiToken.scope,
    })
    .from(apiToken)
    .innerJoin(user, eq(user.id, apiToken.userId))
    .leftJoin(teamMember, and(eq(teamMember.teamId, apiToken.teamId), eq(teamMember.userId, apiToken.userId)))
    .where(eq(apiToken.tokenHash, hashToken(token)))
    .limit(1);
  const row = rows[0];
  // A disabled account's tokens stop working (they are kept, and work again if it is re-enabled);
  // so do the tokens of a team its user left (and again if they rejoin).
  if (!row || row.disabledAt || !row.teamRole) return null;
  // Record use at most once a minute: a busy CI script should not write on every request.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await app.db.update(apiToken).set({ lastUsedAt: new Date() }).where(eq(apiToken.id, row.tokenId));
  }
  return {
    userId: row.userId,
    email: row.email,
    name: row.name,
    role: row.role,
    via: "token",
    team: { id: row.teamId, role: row.teamRole },
    scope: row.scope,
  };
}
