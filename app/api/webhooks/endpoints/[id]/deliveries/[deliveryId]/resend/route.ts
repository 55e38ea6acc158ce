import { route } from "@/lib/http/route";
import { resendDelivery } from "@/lib/services/webhookEndpoints";

export const dynamic = "force-dynamic";

export const POST = route({ access: "user" }, async ({ app, principal, params }) =>
  Response.json({ delivery: await resendDelivery(app, principal, params.id!, params.deliveryId!) }, { status: 202 }),
);
