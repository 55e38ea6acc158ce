import { route } from "@/lib/http/route";
import { revokeToken } from "@/lib/services/tokens";

export const dynamic = "force-dynamic";

export const DELETE = route({ access: "user" }, async ({ app, principal, params }) => {
  await revokeToken(app, principal, params.id!);
  return new Response(null, { status: 204 });
});
