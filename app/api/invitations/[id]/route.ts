import { route } from "@/lib/http/route";
import { revokeInvitation } from "@/lib/services/invitations";

export const dynamic = "force-dynamic";

export const DELETE = route({ access: "user" }, async ({ app, principal, params }) => {
  await revokeInvitation(app, principal, params.id!);
  return new Response(null, { status: 204 });
});
