import { route } from "@/lib/http/route";
import { createInvitation, createInvitationInput, listInvitations } from "@/lib/services/invitations";

export const dynamic = "force-dynamic";

// The token and its link are in this answer only; the database keeps a hash.
export const POST = route({ access: "user", body: createInvitationInput }, async ({ app, principal, body }) => {
  const created = await createInvitation(app, principal, body);
  return Response.json(created, { status: 201 });
});

export const GET = route({ access: "user" }, async ({ app, principal }) => ({
  invitations: await listInvitations(app, principal),
}));
