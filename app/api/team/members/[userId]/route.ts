import { route } from "@/lib/http/route";
import { activeTeam, changeMemberRole, memberRoleInput, removeMember } from "@/lib/services/teams";

export const dynamic = "force-dynamic";

// Team admins change members' and viewers' roles; owners anyone's (lib/teamRoles.ts).
export const PATCH = route({ access: "user", body: memberRoleInput }, async ({ app, principal, params, body }) => ({
  member: await changeMemberRole(app, principal, activeTeam(principal, "Team").id, params.userId!, body.role),
}));

// Team admins remove members and viewers, owners anyone; anyone may leave. The last owner stays.
export const DELETE = route({ access: "user" }, async ({ app, principal, params }) => {
  await removeMember(app, principal, activeTeam(principal, "Team").id, params.userId!);
  return new Response(null, { status: 204 });
});
