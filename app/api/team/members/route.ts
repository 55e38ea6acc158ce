import { route } from "@/lib/http/route";
import { activeTeam, listMembers } from "@/lib/services/teams";

export const dynamic = "force-dynamic";

// Every member of the active team may read who is in it and with which role.
export const GET = route({ access: "user" }, async ({ app, principal }) => ({
  members: await listMembers(app, principal, activeTeam(principal, "Team").id),
}));
