import { Worker } from "bullmq";
import { NOTIFICATIONS_QUEUE, notificationJob, RUN_NOTIFICATION_ATTEMPTS } from "../notificationsQueue";
import { queuePrefix } from "../queue";
import { createRedis } from "../redis";
import { deliverNotification } from "../services/notificationsDelivery";
import { deliverWebhook } from "../services/webhookDeliveries";
import { fanOutWebhooks } from "../services/webhookFanOut";
import type { App } from "./app";

/**
 * The web process's consumer of webhook deliveries (lib/notificationsQueue.ts): the one place
 * messages are sent from. With several web processes each job is still taken by one of them.
 */
export function startNotificationWorker(app: App): Worker {
  const connection = createRedis(app.config.redisUrl, "worker", "notifications");
  const worker = new Worker(
    NOTIFICATIONS_QUEUE,
    async (job) => {
      const data = notificationJob.parse(job.data);
      const meta = { id: job.id ?? "", attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? RUN_NOTIFICATION_ATTEMPTS };
      // A chat message (the user's notification settings), or the signed endpoints' part:
      // the fan-out of a change into deliveries, and each delivery's attempts.
      if (data.kind === "fanout") return fanOutWebhooks(app, data);
      if (data.kind === "webhook") return deliverWebhook(app, { ...meta, data });
      return deliverNotification(app, { ...meta, data });
    },
    // Deliveries wait mostly on the network: several at once, so one slow receiver holds up no one else's.
    { connection, prefix: queuePrefix(app.config.redisPrefix), concurrency: 8 },
  );
  worker.on("error", (err) => console.error("[notifications] worker:", err.message));
  worker.on("failed", (job, err) => console.warn(`[notifications] ${job?.id ?? "?"} attempt ${job?.attemptsMade ?? "?"} failed:`, err.message));
  worker.on("closed", () => connection.disconnect());
  return worker;
}
