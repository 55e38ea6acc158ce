import type { App } from "../server/app";
import type { Principal } from "./principal";
import { resolveActiveTeam } from "./teams";
import { principalForToken } from "./tokens";

/**
 * Resolves who sent a request: a bearer API token, or else better-auth's session cookie; and the
 * team it acts in (the token's own, or the one the person chose: lib/services/teams.ts).
 * Every route handler and server action calls this itself (never only a middleware).
 */
export async function principalFromHeaders(
  app: Pick<App, "db" | "auth">,
  headers: Headers,
): Promise<Principal | null> {
  const authorization = headers.get("authorization");
  if (authorization?.toLowerCase().startsWith("bearer ")) {
    return principalForToken(app, authorization.slice(7).trim());
  }
  const session = await app.auth.api.getSession({ headers });
  if (!session) return null;
  // A disabled account's sessions were deleted when it was disabled; this covers a session
  // made in a race with that (lib/services/users.ts).
  if ((session.user as { disabledAt?: Date | null }).disabledAt) return null;
  const role = (session.user as { role?: string }).role === "admin" ? "admin" : "user";
  return {
    userId: session.user.id,
    email: session.user.email,
    name: session.user.name,
    role,
    via: "session",
    team: await resolveActiveTeam(app, session.user.id),
    scope: "admin",
  };
}
