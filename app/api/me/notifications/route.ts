import { route } from "@/lib/http/route";
import { getNotificationSettings, notificationSettingsInput, saveNotificationSettings } from "@/lib/services/notifications";

export const dynamic = "force-dynamic";

export const GET = route({ access: "user" }, async ({ app, principal }) => getNotificationSettings(app, principal));

export const PUT = route({ access: "user", body: notificationSettingsInput }, async ({ app, principal, body }) =>
  saveNotificationSettings(app, principal, body),
);
