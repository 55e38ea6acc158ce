import { route } from "@/lib/http/route";
import { listNotificationDeliveries } from "@/lib/services/notifications";

export const dynamic = "force-dynamic";

export const GET = route({ access: "user" }, async ({ app, principal }) => ({ deliveries: await listNotificationDeliveries(app, principal) }));
