import { route } from "@/lib/http/route";
import { listEndpointDeliveries } from "@/lib/services/webhookEndpoints";

export const dynamic = "force-dynamic";

export const GET = route({ access: "user" }, async ({ app, principal, params }) => ({
  deliveries: await listEndpointDeliveries(app, principal, params.id!),
}));
