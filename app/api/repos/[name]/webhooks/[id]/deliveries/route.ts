import { route } from "@/lib/http/route";
import { listInboundDeliveries } from "@/lib/services/inboundWebhooks";

export const dynamic = "force-dynamic";

export const GET = route({ access: "user" }, async ({ app, principal, params }) => ({
  deliveries: await listInboundDeliveries(app, principal, params.name!, params.id!),
}));
