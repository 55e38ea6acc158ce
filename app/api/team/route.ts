import { route } from "@/lib/http/route";
import { activeTeam, renameTeam, renameTeamInput, teamById } from "@/lib/services/teams";
import { notFound } from "@/lib/errors";

export const dynamic = "force-dynamic";

// The team this request acts in (the session's chosen team, or the token's) and the role in it.
export const GET = route({ access: "user" }, async ({ app, principal }) => {
  const active = activeTeam(principal, "Team");
  const found = await teamById(app, active.id);
  if (!found) throw notFound("Team");
  return { team: { ...found, role: active.role } };
});

// Owners rename their team.
export const PATCH = route({ access: "user", body: renameTeamInput }, async ({ app, principal, body }) => ({
  team: await renameTeam(app, principal, activeTeam(principal, "Team").id, body),
}));
