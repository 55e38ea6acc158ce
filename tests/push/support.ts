import { execFileSync } from "node:child_process";
import { Worker, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import { queuePrefix } from "../../lib/queue";

/**
 * A machine dying: the process and every process it started (its git push, the askpass, the
 * transport helper) get SIGKILL at once, as when a container or host goes down.
 */
export function killTree(pid: number): void {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    const out = (() => {
      try {
        return execFileSync("ps", ["-o", "pid=", "--ppid", String(all[i])], { encoding: "utf8" });
      } catch {
        return ""; // no children
      }
    })();
    all.push(...out.split("\n").map((s) => Number(s.trim())).filter((n) => n > 0));
  }
  for (const p of all) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * What BullMQ does for a dead job process's job once its job lock expires (30 s by default):
 * the real stalled-job check puts it back in the queue. Done at once here, with that check.
 */
export async function requeueStalledJob(queue: Queue, redis: Redis, namespace: string, jobId: string): Promise<void> {
  const keyPrefix = `${queuePrefix(namespace)}:${queue.name}`;
  await redis.del(`${keyPrefix}:${jobId}:lock`);
  const checker = new Worker(queue.name, null, {
    connection: redis.duplicate(),
    prefix: queuePrefix(namespace),
    autorun: false,
    stalledInterval: 100,
  });
  try {
    await checker.startStalledCheckTimer();
    const deadline = Date.now() + 10_000;
    let state = await queue.getJobState(jobId);
    while (!["waiting", "prioritized"].includes(state)) {
      if (Date.now() > deadline) throw new Error(`job ${jobId} was not put back in the queue: ${state}`);
      // The dead process's last check throttles everyone's for stalledInterval: lift it.
      await redis.del(`${keyPrefix}:stalled-check`);
      await new Promise((r) => setTimeout(r, 50));
      state = await queue.getJobState(jobId);
    }
  } finally {
    await checker.close();
  }
}
