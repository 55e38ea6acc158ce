import { route } from "@/lib/http/route";
import { deleteInboundWebhook, updateInboundInput, updateInboundWebhook } from "@/lib/services/inboundWebhooks";

export const dynamic = "force-dynamic";

export const PATCH = route({ access: "user", body: updateInboundInput }, async ({ app, principal, params, body }) =>
  updateInboundWebhook(app, principal, params.name!, params.id!, body),
);

export const DELETE = route({ access: "user" }, async ({ app, principal, params }) => {
  await deleteInboundWebhook(app, principal, params.name!, params.id!);
  return new Response(null, { status: 204 });
});
