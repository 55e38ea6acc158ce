import crypto from "node:crypto";
import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { notificationStates, type NotificationState } from "./contracts/notifications";
import type { RunChange } from "./contracts/runChanges";
import type { RunEvent } from "./events";
import { queuePrefix } from "./queue";

/**
 * The queue of webhook deliveries. Its one consumer is the web process
 * (lib/server/notificationWorker.ts): the settings and the delivery log are in the database,
 * which only the web has, and the job process's network rules are for sandboxes, not for
 * messages to a person's chat. The recorder feeds it (never waiting for a delivery), the
 * settings page's "send a test message" too.
 */
export const NOTIFICATIONS_QUEUE = "notifications";

/** A run reached a state its owner acts on; the worker decides (by the owner's settings) whether to send. */
export const runNotificationJob = z.object({
  kind: z.literal("run"),
  userId: z.string().min(1),
  runId: z.string().min(1),
  state: z.enum(notificationStates),
  // For state "input": which request.
  requestId: z.string().min(1).optional(),
});
/** A test message the user asked for on the settings page. */
export const testNotificationJob = z.object({ kind: z.literal("test"), userId: z.string().min(1) });
/**
 * The same run change for the signed JSON endpoints (lib/services/webhookFanOut.ts): the run
 * owner's and the run team's endpoints that chose the state each get one delivery of the event
 * `eventId` (stable across re-deliveries of the change).
 */
export const fanOutJob = runNotificationJob.extend({ kind: z.literal("fanout"), eventId: z.string().min(1) });
/** One delivery to one endpoint (webhook_delivery row `deliveryId`), retried with backoff. */
export const webhookDeliveryJob = z.object({ kind: z.literal("webhook"), deliveryId: z.string().min(1) });
export const notificationJob = z.discriminatedUnion("kind", [runNotificationJob, testNotificationJob, fanOutJob, webhookDeliveryJob]);
export type NotificationJob = z.infer<typeof notificationJob>;
export type RunNotificationJob = z.infer<typeof runNotificationJob>;
export type FanOutJob = z.infer<typeof fanOutJob>;
export type WebhookDeliveryJob = z.infer<typeof webhookDeliveryJob>;

/** Attempts of a run message (a chat service down for a while still gets it, about 12 minutes later at most). */
export const RUN_NOTIFICATION_ATTEMPTS = 8;
export const BACKOFF_MS = 3_000;

/** When attempt `attempt` (1-based) failed, the next one is due after this (BullMQ's exponential backoff). */
export const retryDelayMs = (attempt: number) => 2 ** (attempt - 1) * BACKOFF_MS;

const kept = {
  // Kept for a week: a job id is the de-duplication of a change noted twice (a recorder that
  // crashed before its XACK notes it again), so it must outlive any re-delivery.
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

export const notificationJobOptions = (job: NotificationJob, jobId: string): JobsOptions => ({
  jobId,
  // A test is watched as it happens: one attempt, its outcome in the log at once.
  attempts: job.kind === "test" ? 1 : RUN_NOTIFICATION_ATTEMPTS,
  backoff: { type: "exponential", delay: BACKOFF_MS },
  ...kept,
});

export function createNotificationsQueue(connection: Redis, namespace = ""): Queue<NotificationJob> {
  return new Queue<NotificationJob>(NOTIFICATIONS_QUEUE, { connection, prefix: queuePrefix(namespace) });
}

/**
 * The notification a recorded event calls for, with its job id, or null. `change` is what the
 * projection says the event did (its status is the run's status once written); `entryId` the
 * event's id in `events:all`, the same on every re-delivery. One job per:
 * - request that opened (its id), while the run waits for it;
 * - arrival in review (the entry: every round of request changes, or a push that failed back
 *   into review, is a new one);
 * - failure (the run: failed is terminal, so once).
 */
export function notificationFor(
  change: RunChange,
  event: RunEvent,
  entryId: string,
): { job: RunNotificationJob; jobId: string } | null {
  const base = { kind: "run" as const, userId: change.userId, runId: change.runId };
  const make = (state: NotificationState, jobId: string, extra: { requestId?: string } = {}) => ({
    job: { ...base, state, ...extra },
    // BullMQ refuses ":" in custom ids.
    jobId: jobId.replace(/:/g, "_"),
  });
  if (event.type === "input.requested" && change.status === "waiting_input") {
    return make("input", `input-${change.runId}-${event.requestId}`, { requestId: event.requestId });
  }
  if (change.status === "awaiting_review" && (event.type === "run.awaiting_review" || (event.type === "push.finished" && !event.ok))) {
    return make("review", `review-${change.runId}-${entryId}`);
  }
  if (event.type === "run.failed" && change.status === "failed") return make("failed", `failed-${change.runId}`);
  if (event.type === "push.finished" && event.ok && change.status === "pushed") return make("pushed", `pushed-${change.runId}`);
  return null;
}

/**
 * The fan-out to signed endpoints of the same change: its job id follows the notification's
 * (so BullMQ keeps one per change), its event id is derived from it (the same on every
 * re-delivery of the entry, so an endpoint is given each event once).
 */
export function fanOutFor(wanted: { job: RunNotificationJob; jobId: string }): { job: FanOutJob; jobId: string } {
  const eventId = `evt_${crypto.createHash("sha256").update(wanted.jobId).digest("hex").slice(0, 32)}`;
  return { job: { ...wanted.job, kind: "fanout", eventId }, jobId: `hooks-${wanted.jobId}` };
}
