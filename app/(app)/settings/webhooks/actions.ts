"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { notificationStates } from "@/lib/contracts/notifications";
import { authedAction } from "@/lib/http/action";
import {
  createEndpoint,
  createEndpointInput,
  deleteEndpoint,
  pingEndpoint,
  resendDelivery,
  rotateEndpointSecret,
  updateEndpoint,
} from "@/lib/services/webhookEndpoints";

// The form's shape (one checkbox per state, `state_<name>`) turned into the API's.
const createForm = z
  .object({
    url: z.string().default(""),
    description: z.string().optional(),
    owner: z.string().optional(),
    ...Object.fromEntries(notificationStates.map((s) => [`state_${s}`, z.literal("on").optional()])),
  })
  .transform(
    (form: Record<string, string | undefined>): z.input<typeof createEndpointInput> => ({
      url: form.url ?? "",
      ...(form.description ? { description: form.description } : {}),
      ...(form.owner ? { owner: form.owner as "user" | "team" } : {}),
      states: notificationStates.filter((s) => form[`state_${s}`] === "on"),
    }),
  )
  .pipe(createEndpointInput);

export const createEndpointAction = authedAction(createForm, async (principal, input, app) => {
  const made = await createEndpoint(app, principal, input);
  refresh();
  return { secret: made.secret, url: made.url };
});

const byId = z.object({ id: z.string().min(1) });

export const pingEndpointAction = authedAction(byId, async (principal, { id }, app) => {
  await pingEndpoint(app, principal, id);
  refresh();
  return null;
});

export const rotateEndpointAction = authedAction(byId, async (principal, { id }, app) => rotateEndpointSecret(app, principal, id));

export const toggleEndpointAction = authedAction(byId.extend({ enabled: z.enum(["true", "false"]) }), async (principal, { id, enabled }, app) => {
  await updateEndpoint(app, principal, id, { enabled: enabled === "true" });
  refresh();
  return null;
});

export const deleteEndpointAction = authedAction(byId, async (principal, { id }, app) => {
  await deleteEndpoint(app, principal, id);
  refresh();
  return null;
});

export const resendDeliveryAction = authedAction(byId.extend({ deliveryId: z.string().min(1) }), async (principal, { id, deliveryId }, app) => {
  await resendDelivery(app, principal, id, deliveryId);
  refresh();
  return null;
});
