import { route } from "@/lib/http/route";
import { pingEndpoint } from "@/lib/services/webhookEndpoints";

export const dynamic = "force-dynamic";

export const POST = route({ access: "user" }, async ({ app, principal, params }) =>
  Response.json({ delivery: await pingEndpoint(app, principal, params.id!) }, { status: 202 }),
);
