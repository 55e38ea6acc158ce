import { UnrecoverableError, Worker } from "bullmq";
import { RUNS_QUEUE, queuePrefix } from "@/lib/queue";
import { createRedis } from "@/lib/redis";
import type { App } from "@/lib/server/app";

/** Polls `fn` until it returns something other than undefined; fails naming what it waited for. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A worker whose processing never reaches our pipeline fails the job with BullMQ's own stall reason. */
export async function failJobAsBullMQDoes(app: App, jobId: string): Promise<void> {
  const connection = createRedis(app.config.redisUrl, "worker");
  const worker = new Worker(
    RUNS_QUEUE,
    async () => {
      throw new UnrecoverableError("job stalled more than allowable limit");
    },
    { connection, prefix: queuePrefix(app.config.redisPrefix) },
  );
  try {
    await until("the job to fail", async () => ((await (await app.queue.getJob(jobId))?.getState()) === "failed" ? true : undefined));
  } finally {
    await worker.close();
    connection.disconnect();
  }
}
