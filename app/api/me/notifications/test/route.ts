import { route } from "@/lib/http/route";
import { sendTestNotification } from "@/lib/services/notifications";

export const dynamic = "force-dynamic";

export const POST = route({ access: "user" }, async ({ app, principal }) =>
  Response.json(await sendTestNotification(app, principal), { status: 202 }),
);
