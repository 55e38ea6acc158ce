import type { Redis } from "ioredis";
import { inspectRedisDurability } from "../redisDurability";
import { waitForRedis } from "../redis";

/**
 * The web's start-up look at Redis (`next start` alone, as docker-compose runs it, has no
 * launcher to do it): loud on the log, not fatal, since the web serves pages while Redis
 * comes up; GET /api/health keeps saying it (503 for an evicting Redis) until it is fixed.
 */
export async function reportRedisDurability(redis: Redis, log: Pick<Console, "error" | "warn" | "log"> = console): Promise<void> {
  try {
    await waitForRedis(redis, 60_000);
    const d = await inspectRedisDurability(redis);
    if (d.problem) log.error(`[web] REDIS WILL LOSE DATA: ${d.problem} GET /api/health answers 503 until it is fixed.`);
    if (d.warning) log.warn(`[web] WARNING: ${d.warning}`);
    if (!d.problem && !d.warning) log.log(`[web] Redis: maxmemory-policy ${d.evictionPolicy ?? "not reported"}, persistence ${d.persistence}`);
  } catch (err) {
    log.error("[web] could not check Redis's eviction policy and persistence at start-up:", (err as Error).message);
  }
}
