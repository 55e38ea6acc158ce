import crypto from "node:crypto";
import type { Queue } from "bullmq";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { defaultNotificationStates, notificationStates, type NotificationState } from "../contracts/notifications";
import { notificationSetting } from "../db/schema";
import { AppError, fieldError } from "../errors";
import { createNotificationsQueue, notificationJobOptions, type NotificationJob } from "../notificationsQueue";
import type { App } from "../server/app";
import { listDeliveryAttempts, type DeliveryView } from "./notificationsLog";
import { webhookUrlProblem, webhookUrlSyntax } from "./notificationsUrl";
import type { Principal } from "./principal";

/**
 * A user's notification settings (GET/PUT /api/me/notifications and the settings page's
 * actions): the webhook URL (null: none) and the states it is told about.
 */
export const notificationSettingsInput = z.strictObject({
  // "" or null: no webhook.
  webhookUrl: z
    .string()
    .transform((v) => (v.trim() === "" ? null : v))
    .pipe(webhookUrlSyntax.nullable())
    .nullable(),
  states: z
    .array(z.enum(notificationStates))
    .max(notificationStates.length)
    .default([...defaultNotificationStates])
    .transform((s) => [...new Set(s)]),
});
export type NotificationSettingsInput = z.infer<typeof notificationSettingsInput>;

export type NotificationSettings = { webhookUrl: string | null; states: NotificationState[] };

const storedStates = z.array(z.enum(notificationStates)).catch([]);

/** The user's settings as stored (validated when read back), or the defaults when never saved. */
export async function getNotificationSettings(app: Pick<App, "db">, principal: Principal): Promise<NotificationSettings> {
  return readSettings(app, principal.userId);
}

export async function readSettings(app: Pick<App, "db">, userId: string): Promise<NotificationSettings> {
  const [row] = await app.db.select().from(notificationSetting).where(eq(notificationSetting.userId, userId));
  if (!row) return { webhookUrl: null, states: [...defaultNotificationStates] };
  const url = row.webhookUrl === null ? null : webhookUrlSyntax.safeParse(row.webhookUrl);
  return { webhookUrl: url?.success ? url.data : null, states: storedStates.parse(row.states) };
}

/** Saves the settings; a URL the web may not send to is a 400 naming `webhookUrl`. */
export async function saveNotificationSettings(
  app: Pick<App, "db" | "config">,
  principal: Principal,
  input: NotificationSettingsInput,
): Promise<NotificationSettings> {
  if (input.webhookUrl) {
    const problem = await webhookUrlProblem(input.webhookUrl, { allowPrivate: app.config.allowPrivateWebhooks });
    if (problem) throw fieldError("webhookUrl", problem);
  }
  const values = { webhookUrl: input.webhookUrl, states: input.states };
  await app.db
    .insert(notificationSetting)
    .values({ userId: principal.userId, ...values })
    .onConflictDoUpdate({ target: notificationSetting.userId, set: { ...values, updatedAt: new Date() } });
  return { webhookUrl: input.webhookUrl, states: input.states };
}

// One queue per App (the web's Redis connection), made when first needed.
const queues = new WeakMap<object, Queue<NotificationJob>>();

/** The web's handle on the notifications queue (lib/notificationsQueue.ts). */
export function notificationsQueue(app: Pick<App, "redis" | "config">): Queue<NotificationJob> {
  let queue = queues.get(app.redis);
  if (!queue) {
    queue = createNotificationsQueue(app.redis, app.config.redisPrefix);
    queue.on("error", (err) => console.error("[queue] notifications:", err.message));
    queues.set(app.redis, queue);
  }
  return queue;
}

/** Queues a test message to the user's saved webhook; its outcome appears in the delivery log. */
export async function sendTestNotification(app: Pick<App, "db" | "redis" | "config">, principal: Principal): Promise<{ jobId: string }> {
  const settings = await readSettings(app, principal.userId);
  if (!settings.webhookUrl) throw new AppError("conflict", "Save a webhook URL first", [{ path: "webhookUrl", message: "no webhook URL is saved" }]);
  const job: NotificationJob = { kind: "test", userId: principal.userId };
  const jobId = `test-${crypto.randomUUID()}`;
  await notificationsQueue(app).add("test", job, notificationJobOptions(job, jobId));
  return { jobId };
}

/** The user's latest delivery attempts, newest first. */
export async function listNotificationDeliveries(app: Pick<App, "db">, principal: Principal): Promise<DeliveryView[]> {
  return listDeliveryAttempts(app.db, principal.userId);
}
