/**
 * Team roles and API token scopes, and what each may do: declared here once. Every check on a
 * team's objects (lib/services/*) asks `teamAllows`; nothing else compares roles.
 *
 * viewer  reads the team's runs, diffs, logs and repositories;
 * member  also creates runs and acts on their own (answer, review, cancel, rerun, own schedules
 *         and run templates);
 * admin   also acts on every run of the team and manages repositories, rules, schedules, run
 *         templates, MCP servers, environments and members (not owners);
 * owner   also manages admins and owners, and the team itself.
 *
 * A token's scope caps what it may do whatever its user's role (the lesser wins): `read` only
 * reads, `run` also creates and acts on runs, `admin` everything the role allows.
 */

export const teamRoles = ["owner", "admin", "member", "viewer"] as const;
export type TeamRole = (typeof teamRoles)[number];

export const tokenScopes = ["read", "run", "admin"] as const;
export type TokenScope = (typeof tokenScopes)[number];

export const teamRoleLabels: Record<TeamRole, string> = { owner: "Owner", admin: "Admin", member: "Member", viewer: "Viewer" };

const roleRank: Record<TeamRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };
const scopeRank: Record<TokenScope, number> = { read: 0, run: 1, admin: 2 };

export const teamActions = {
  read: { role: "viewer", scope: "read", says: "read this team's work" },
  createRun: { role: "member", scope: "run", says: "start runs" },
  actOnOwnRun: { role: "member", scope: "run", says: "act on your runs" },
  actOnAnyRun: { role: "admin", scope: "run", says: "act on other people's runs" },
  manageOwnSchedules: { role: "member", scope: "run", says: "manage your schedules" },
  manageOwnTemplates: { role: "member", scope: "run", says: "manage your run templates" },
  manage: { role: "admin", scope: "admin", says: "manage this team's repositories, rules, schedules, templates and settings" },
  manageMembers: { role: "admin", scope: "admin", says: "manage this team's members" },
  manageOwners: { role: "owner", scope: "admin", says: "manage this team's admins and owners" },
  manageTeam: { role: "owner", scope: "admin", says: "change or delete this team" },
} as const satisfies Record<string, { role: TeamRole; scope: TokenScope; says: string }>;
export type TeamAction = keyof typeof teamActions;

export const roleAtLeast = (role: TeamRole, needed: TeamRole) => roleRank[role] >= roleRank[needed];
export const scopeAtLeast = (scope: TokenScope, needed: TokenScope) => scopeRank[scope] >= scopeRank[needed];

/** Whether a member with this role, through a request of this scope, may do `action`. */
export const teamAllows = (role: TeamRole, scope: TokenScope, action: TeamAction): boolean =>
  roleAtLeast(role, teamActions[action].role) && scopeAtLeast(scope, teamActions[action].scope);

/** The role with its article, for sentences: "an owner", "a viewer". */
export const aRole = (role: TeamRole) => `${role === "owner" || role === "admin" ? "an" : "a"} ${role}`;

/** Why `teamAllows` said no, in words naming the role (or scope) needed. */
export function refusalFor(role: TeamRole, scope: TokenScope, action: TeamAction): string {
  const needed = teamActions[action];
  if (!roleAtLeast(role, needed.role)) {
    return `Only a team ${needed.role}${needed.role === "owner" ? "" : " or above"} can ${needed.says} (you are ${aRole(role)})`;
  }
  return `This API token's scope is "${scope}"; to ${needed.says} it needs scope "${needed.scope}"`;
}

/**
 * The roles a member with `role` may give, and take from others: owners any; admins members and
 * viewers (admins and owners are the owners' to manage); nobody else any.
 */
export const rolesManageableBy = (role: TeamRole): readonly TeamRole[] =>
  role === "owner" ? teamRoles : role === "admin" ? (["member", "viewer"] as const) : [];
