import type { TeamRole, TokenScope } from "../teamRoles";

/** The team a request acts in and the person's role there (lib/services/teams.ts resolves it). */
export type ActiveTeam = { id: string; role: TeamRole };

/** Who is making a request, however they proved it (session cookie or API token). */
export type Principal = {
  userId: string;
  email: string;
  name: string;
  // The instance role: instance-wide things only (users, job processes, ACP agents, teams).
  role: "admin" | "user";
  // "schedule": a scheduled run created on its owner's behalf (lib/services/scheduleTick.ts).
  via: "session" | "token" | "schedule";
  // null: the person is in no team yet, and every team endpoint answers 404.
  team: ActiveTeam | null;
  // What the request may do at most (lib/teamRoles.ts): a token's own scope; sessions and
  // schedules "admin" (everything the person's roles allow).
  scope: TokenScope;
};

/** An instance admin acting with full scope (a read or run token of an admin is not). */
export const isAdmin = (p: Principal) => p.role === "admin" && p.scope === "admin";
