import { route } from "@/lib/http/route";
import { createEndpoint, createEndpointInput, listEndpoints } from "@/lib/services/webhookEndpoints";

export const dynamic = "force-dynamic";

export const GET = route({ access: "user" }, async ({ app, principal }) => ({ endpoints: await listEndpoints(app, principal) }));

export const POST = route({ access: "user", body: createEndpointInput }, async ({ app, principal, body }) =>
  Response.json(await createEndpoint(app, principal, body), { status: 201 }),
);
