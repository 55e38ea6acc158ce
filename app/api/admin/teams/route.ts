import { route } from "@/lib/http/route";
import { createTeam, createTeamInput, listTeams } from "@/lib/services/teams";

export const dynamic = "force-dynamic";

// Instance admins: every team, and a new team with its first owner.
export const GET = route({ access: "admin" }, async ({ app, principal }) => ({ teams: await listTeams(app, principal) }));

export const POST = route({ access: "admin", body: createTeamInput }, async ({ app, principal, body }) =>
  Response.json({ team: await createTeam(app, principal, body) }, { status: 201 }),
);
