import type { Redis } from "ioredis";
import { liveWorkers, type WorkerAdvert } from "./workerDirectory";

/**
 * Why runs here may execute without the sandbox, or null when every part runs with it: the
 * web's own configuration says SANDBOX=off (it is one install), or a live job process
 * advertises that it runs with SANDBOX=off. Every page warns while this is set, and only
 * admins may start runs.
 */
export function sandboxOffReason(config: { sandbox: "on" | "off" }, workers: readonly WorkerAdvert[]): string | null {
  const off = workers.filter((w) => w.sandbox === "off").map((w) => w.name);
  if (config.sandbox === "off") return "this installation runs with SANDBOX=off: run commands execute without a sandbox";
  if (off.length > 0) {
    return `job process${off.length > 1 ? "es" : ""} ${off.join(", ")} run${off.length > 1 ? "" : "s"} with SANDBOX=off: run commands there execute without a sandbox`;
  }
  return null;
}

/** sandboxOffReason with the job processes alive now; Redis unreachable counts as none. */
export async function currentSandboxOffReason(app: {
  config: { sandbox: "on" | "off"; redisPrefix: string };
  redis: Redis;
}): Promise<string | null> {
  const workers = await liveWorkers(app.redis, app.config.redisPrefix).catch(() => []);
  return sandboxOffReason(app.config, workers);
}
