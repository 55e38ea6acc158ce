import type { Redis } from "ioredis";

/**
 * A fixed-window request counter in Redis (shared by every web process): at most `limit` hits
 * of `key` per `windowSec`. Returns how long to wait when over.
 */
export async function hitLimit(redis: Redis, key: string, limit: number, windowSec: number): Promise<{ ok: true } | { ok: false; retryAfterSec: number }> {
  const replies = await redis.multi().incr(key).expire(key, windowSec, "NX").ttl(key).exec();
  const count = Number(replies?.[0]?.[1] ?? 0);
  const ttl = Number(replies?.[2]?.[1] ?? windowSec);
  return count <= limit ? { ok: true } : { ok: false, retryAfterSec: Math.max(1, ttl) };
}
