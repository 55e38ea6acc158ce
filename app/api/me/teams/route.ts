import { route } from "@/lib/http/route";
import { listMemberships } from "@/lib/services/teams";

export const dynamic = "force-dynamic";

// The person's teams with their role in each, and the one this request acts in.
export const GET = route({ access: "user" }, async ({ app, principal }) => ({
  active: principal.team?.id ?? null,
  teams: await listMemberships(app, principal.userId),
}));
