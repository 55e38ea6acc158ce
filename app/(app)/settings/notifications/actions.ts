"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { notificationStates } from "@/lib/contracts/notifications";
import { authedAction } from "@/lib/http/action";
import { notificationSettingsInput, saveNotificationSettings, sendTestNotification } from "@/lib/services/notifications";

// The form's shape (one checkbox per state, `state_<name>`) turned into the API's.
const settingsForm = z
  .object({
    webhookUrl: z.string().optional(),
    ...Object.fromEntries(notificationStates.map((s) => [`state_${s}`, z.literal("on").optional()])),
  })
  .transform(
    (form: Record<string, string | undefined>): z.input<typeof notificationSettingsInput> => ({
      webhookUrl: form.webhookUrl ?? null,
      states: notificationStates.filter((s) => form[`state_${s}`] === "on"),
    }),
  )
  .pipe(notificationSettingsInput);

export const saveNotificationSettingsAction = authedAction(settingsForm, async (principal, input, app) => {
  const saved = await saveNotificationSettings(app, principal, input);
  refresh();
  return saved;
});

export const sendTestNotificationAction = authedAction(z.object({}), async (principal, _input, app) => sendTestNotification(app, principal));
