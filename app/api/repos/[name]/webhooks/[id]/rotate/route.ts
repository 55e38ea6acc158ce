import { route } from "@/lib/http/route";
import { rotateInboundSecret } from "@/lib/services/inboundWebhooks";

export const dynamic = "force-dynamic";

export const POST = route({ access: "user" }, async ({ app, principal, params }) => rotateInboundSecret(app, principal, params.name!, params.id!));
