import { route } from "@/lib/http/route";
import { deleteEndpoint, updateEndpoint, updateEndpointInput } from "@/lib/services/webhookEndpoints";

export const dynamic = "force-dynamic";

export const PATCH = route({ access: "user", body: updateEndpointInput }, async ({ app, principal, params, body }) =>
  updateEndpoint(app, principal, params.id!, body),
);

export const DELETE = route({ access: "user" }, async ({ app, principal, params }) => {
  await deleteEndpoint(app, principal, params.id!);
  return new Response(null, { status: 204 });
});
