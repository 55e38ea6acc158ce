import type { Redis } from "ioredis";
import { z } from "zod";
import { executors } from "./queue";
import { valuesMatching } from "./redis";

/**
 * Job processes say what they can run, in Redis, refreshed while they live. The web reads this
 * to offer only executors some job process can take: credentials such as ANTHROPIC_API_KEY
 * stay in the job process's environment, and the web never needs them to know.
 */
export const workerAdvert = z.object({
  name: z.string(),
  startedAt: z.string(),
  concurrency: z.number().int().nonnegative(),
  activeRuns: z.number().int().nonnegative(),
  /** "off": this job process runs commands unsandboxed (SANDBOX=off); the web warns on every page. */
  sandbox: z.enum(["on", "off"]),
  executors: z.array(
    z.object({
      name: z.enum(executors),
      available: z.boolean(),
      reason: z.string().optional(),
      /** The agent talks to the local demo model (npm run demo), not Claude. */
      demo: z.boolean().optional(),
    }),
  ),
  /**
   * The registered ACP agents (lib/acpAgentRegistry.ts) and whether this job process can start
   * each (command found, variables set), with why not. Missing from adverts of older job
   * processes, which can start none.
   */
  acpAgents: z
    .array(
      z.object({
        name: z.string(),
        available: z.boolean(),
        reason: z.string().optional(),
      }),
    )
    .optional(),
});
export type WorkerAdvert = z.infer<typeof workerAdvert>;

const keyPrefix = (namespace: string) => `${namespace}workers:`;

export const ADVERT_TTL_SEC = 30;

export async function advertiseWorker(redis: Redis, namespace: string, advert: WorkerAdvert): Promise<void> {
  await redis.set(keyPrefix(namespace) + advert.name, JSON.stringify(workerAdvert.parse(advert)), "EX", ADVERT_TTL_SEC);
}

export async function withdrawWorker(redis: Redis, namespace: string, name: string): Promise<void> {
  await redis.del(keyPrefix(namespace) + name);
}

/** The job processes alive now (their adverts have not expired). */
export async function liveWorkers(redis: Redis, namespace: string): Promise<WorkerAdvert[]> {
  const adverts: WorkerAdvert[] = [];
  for (const value of await valuesMatching(redis, `${keyPrefix(namespace)}*`)) {
    try {
      const parsed = workerAdvert.safeParse(JSON.parse(value));
      if (parsed.success) adverts.push(parsed.data);
    } catch {
      // An advert that is not JSON was not written by a job process of ours; ignore it.
    }
  }
  return adverts.sort((a, b) => a.name.localeCompare(b.name));
}
