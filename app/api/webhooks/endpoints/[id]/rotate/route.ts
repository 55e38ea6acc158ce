import { route } from "@/lib/http/route";
import { rotateEndpointSecret } from "@/lib/services/webhookEndpoints";

export const dynamic = "force-dynamic";

export const POST = route({ access: "user" }, async ({ app, principal, params }) => rotateEndpointSecret(app, principal, params.id!));
