import { UnrecoverableError } from "bullmq";
import { eq, sql } from "drizzle-orm";
import { signPayload } from "../contracts/webhookSignature";
import { SecretUnreadableError } from "../secretBox";
import { DELIVERY_HEADER, EVENT_HEADER, webhookAttempt, type WebhookAttempt } from "../contracts/webhooks";
import { webhookDelivery, webhookEndpoint } from "../db/schema";
import { notificationJobOptions, retryDelayMs, type WebhookDeliveryJob } from "../notificationsQueue";
import type { App } from "../server/app";
import { notificationsQueue } from "./notifications";
import type { DeliveryJob } from "./notificationsDelivery";
import { postWebhook } from "./notificationsPost";

/** Attempts kept in a delivery's log (the count goes on). */
const ATTEMPT_LOG_SIZE = 20;

/** Queues one delivery (a new one, or a resend); its job id is the delivery's, so it is queued once. */
export async function queueWebhookDelivery(app: Pick<App, "redis" | "config">, deliveryId: string): Promise<void> {
  const job: WebhookDeliveryJob = { kind: "webhook", deliveryId };
  await notificationsQueue(app).add("webhook", job, notificationJobOptions(job, `wh-${deliveryId}`));
}

export type WebhookSendResult = { sent: true; status: number } | { sent: false; reason: string };

/**
 * Carries out one attempt of a delivery (the notifications worker calls it): signs the stored
 * payload with the endpoint's secret now (a rotated secret signs what is sent after it), POSTs
 * it, and notes the attempt on the delivery row: attempts, status, the answer, when the next
 * attempt is due. A failed attempt throws, so BullMQ tries again with backoff when that may help.
 */
export async function deliverWebhook(app: Pick<App, "db" | "config" | "secretBox">, job: DeliveryJob<WebhookDeliveryJob>): Promise<WebhookSendResult> {
  const [found] = await app.db
    .select({ delivery: webhookDelivery, url: webhookEndpoint.url, secret: webhookEndpoint.secret, enabled: webhookEndpoint.enabled })
    .from(webhookDelivery)
    .innerJoin(webhookEndpoint, eq(webhookEndpoint.id, webhookDelivery.endpointId))
    .where(eq(webhookDelivery.id, job.data.deliveryId));
  if (!found) return { sent: false, reason: "delivery gone" };
  const { delivery } = found;
  if (delivery.status === "delivered") return { sent: false, reason: "already delivered" };
  if (!found.enabled) {
    await note(app, delivery.id, { status: "failed", error: "the endpoint is turned off", attempt: null });
    return { sent: false, reason: "endpoint turned off" };
  }

  let secret: string;
  try {
    secret = app.secretBox.open(found.secret);
  } catch (err) {
    // Not worth retrying: no attempt reads it until the secret is rotated.
    if (!(err instanceof SecretUnreadableError)) throw err;
    await note(app, delivery.id, { status: "failed", error: err.message, attempt: null });
    return { sent: false, reason: err.message };
  }
  const body = JSON.stringify(delivery.payload);
  const outcome = await postWebhook(found.url, body, {
    allowPrivate: app.config.allowPrivateWebhooks,
    userAgent: "AgentDesk-Webhook",
    headers: {
      "agentdesk-signature": signPayload(secret, body),
      [DELIVERY_HEADER]: delivery.id,
      [EVENT_HEADER]: delivery.eventType,
    },
  });
  const attempt = job.attemptsMade + 1;
  const willRetry = !outcome.ok && outcome.retry && attempt < job.attempts;
  const error = outcome.ok ? null : outcome.error;
  await note(app, delivery.id, {
    status: outcome.ok ? "delivered" : willRetry ? "pending" : "failed",
    error,
    attempt: { at: new Date().toISOString(), httpStatus: outcome.status, error },
    nextRetryAt: willRetry ? new Date(Date.now() + retryDelayMs(attempt)) : null,
  });
  if (outcome.ok) return { sent: true, status: outcome.status };
  if (!outcome.retry) throw new UnrecoverableError(outcome.error);
  throw new Error(outcome.error);
}

async function note(
  app: Pick<App, "db">,
  id: string,
  change: { status: "pending" | "delivered" | "failed"; error: string | null; attempt: WebhookAttempt | null; nextRetryAt?: Date | null },
) {
  const attempt = change.attempt ? webhookAttempt.parse(change.attempt) : null;
  await app.db
    .update(webhookDelivery)
    .set({
      status: change.status,
      error: change.error,
      nextRetryAt: change.nextRetryAt ?? null,
      updatedAt: new Date(),
      ...(attempt
        ? {
            attempts: sql`${webhookDelivery.attempts} + 1`,
            httpStatus: attempt.httpStatus,
            // Appended in the database (one worker holds a delivery's job at a time), the oldest dropped past the cap.
            attemptLog: sql`(select coalesce(jsonb_agg(a order by n), '[]'::jsonb) from (select a, n from jsonb_array_elements(${webhookDelivery.attemptLog} || ${JSON.stringify([attempt])}::jsonb) with ordinality as t(a, n) order by n desc limit ${ATTEMPT_LOG_SIZE}) kept)`,
          }
        : {}),
    })
    .where(eq(webhookDelivery.id, id));
}
