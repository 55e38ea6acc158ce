import { route } from "@/lib/http/route";
import { createInboundInput, createInboundWebhook, listInboundWebhooks } from "@/lib/services/inboundWebhooks";

export const dynamic = "force-dynamic";

export const GET = route({ access: "user" }, async ({ app, principal, params }) => ({ webhooks: await listInboundWebhooks(app, principal, params.name!) }));

export const POST = route({ access: "user", body: createInboundInput }, async ({ app, principal, params, body }) =>
  Response.json(await createInboundWebhook(app, principal, params.name!, body), { status: 201 }),
);
