import { getApp } from "./app";

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);

/** `{ ok, db, redis }`: each dependency answers a trivial query within a second. */
export async function checkHealth(): Promise<{ ok: boolean; db: boolean; redis: boolean; error?: string }> {
  let app;
  try {
    app = await getApp();
  } catch (err) {
    return { ok: false, db: false, redis: false, error: (err as Error).message };
  }
  const [db, redis] = await Promise.all([
    withTimeout(app.database.ping(), 1_000).then(() => true, () => false),
    withTimeout(app.redis.ping(), 1_000).then(() => true, () => false),
  ]);
  return { ok: db && redis, db, redis };
}
