import { Worker } from "bullmq";
import { queuePrefix, SCHEDULES_QUEUE, scheduleTickData } from "../queue";
import { createRedis } from "../redis";
import { runScheduleTick } from "../services/scheduleTick";
import type { App } from "./app";

/**
 * The web process's consumer of schedule ticks: runs are created where the database is. With
 * several web processes each tick is still one BullMQ job, taken by one of them.
 */
export function startScheduleWorker(app: App): Worker {
  const connection = createRedis(app.config.redisUrl, "worker", "schedules");
  const worker = new Worker(
    SCHEDULES_QUEUE,
    async (job) => {
      const { scheduleId } = scheduleTickData.parse(job.data);
      const outcome = await runScheduleTick(app, scheduleId, job.id);
      if (outcome.kind === "refused") console.warn(`[schedules] ${scheduleId}: no run: ${outcome.error}`);
      return outcome;
    },
    { connection, prefix: queuePrefix(app.config.redisPrefix), concurrency: 4 },
  );
  worker.on("error", (err) => console.error("[schedules] worker:", err.message));
  worker.on("failed", (job, err) => console.error(`[schedules] tick ${job?.id ?? "?"} failed:`, err.message));
  worker.on("closed", () => connection.disconnect());
  return worker;
}
