import { durabilityFields, inspectRedisDurability } from "../redisDurability";
import { getApp } from "./app";

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);

export type WebHealth = {
  ok: boolean;
  db: boolean;
  redis: boolean;
  error?: string;
  redisEvictionPolicy?: string | null;
  redisPersistence?: string;
  warnings?: string[];
};

/**
 * `{ ok, db, redis }`: each dependency answers a trivial query within a second. Redis's
 * durability is asked each time (fixing it needs no restart): an evicting Redis makes the web
 * unhealthy, one without persistence is reported with a warning.
 */
export async function checkHealth(): Promise<WebHealth> {
  let app;
  try {
    app = await getApp();
  } catch (err) {
    return { ok: false, db: false, redis: false, error: (err as Error).message };
  }
  const [db, durability] = await Promise.all([
    withTimeout(app.database.ping(), 1_000).then(() => true, () => false),
    withTimeout(app.redis.ping().then(() => inspectRedisDurability(app.redis)), 1_000).catch(() => null),
  ]);
  const redis = durability !== null;
  const evicting = Boolean(durability?.problem);
  return { ok: db && redis && !evicting, db, redis, ...(durability ? durabilityFields(durability) : {}) };
}
