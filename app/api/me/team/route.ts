import { route } from "@/lib/http/route";
import { switchTeam, switchTeamInput } from "@/lib/services/teams";

export const dynamic = "force-dynamic";

// The team switcher: the team the person's session works in from now on (404 for one they are not in).
export const POST = route({ access: "user", body: switchTeamInput }, async ({ app, principal, body }) => ({
  team: await switchTeam(app, principal, body.teamId),
}));
