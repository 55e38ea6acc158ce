import { z } from "zod";
import { notificationStates, type NotificationState } from "./notifications";

/**
 * What an outgoing webhook delivery says (the JSON body every endpoint receives, signed by
 * lib/contracts/webhookSignature.ts). Receivers rely on these fields; add, never rename.
 *
 * - `id`: the event's id, the same on every delivery and resend of it (a receiver's
 *   de-duplication key); the delivery's own id is the `AgentDesk-Delivery` header.
 * - `type`: one of webhookEventTypes; also the `AgentDesk-Event` header.
 * - `run`: what the run's page shows of it (never its prompt, a command's input or a secret).
 */
export const webhookEventTypes = {
  input: "run.awaiting_input",
  review: "run.awaiting_review",
  failed: "run.failed",
  pushed: "run.pushed",
} as const satisfies Record<NotificationState, string>;
export type WebhookEventType = (typeof webhookEventTypes)[NotificationState] | "ping";

export const DELIVERY_HEADER = "agentdesk-delivery";
export const EVENT_HEADER = "agentdesk-event";

export const webhookPayload = z.object({
  id: z.string().min(1),
  type: z.enum(["run.awaiting_input", "run.awaiting_review", "run.failed", "run.pushed", "ping"]),
  createdAt: z.iso.datetime(),
  state: z.enum(notificationStates).optional(),
  run: z
    .object({
      id: z.string(),
      title: z.string(),
      repo: z.string(),
      team: z.string(),
      status: z.string(),
      branch: z.string(),
      url: z.string(),
      error: z.string().optional(),
    })
    .optional(),
  input: z.object({ kind: z.string(), tool: z.string().optional() }).optional(),
});
export type WebhookPayload = z.infer<typeof webhookPayload>;

/** An endpoint's delivery states. */
export const webhookDeliveryStatuses = ["pending", "delivered", "failed"] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

/** One attempt in a delivery's log. */
export const webhookAttempt = z.object({
  at: z.iso.datetime(),
  httpStatus: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type WebhookAttempt = z.infer<typeof webhookAttempt>;
