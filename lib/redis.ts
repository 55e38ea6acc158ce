import { Redis } from "ioredis";

/**
 * Redis clients by role. Blocking readers and the job process wait out a Redis restart
 * (`maxRetriesPerRequest: null`, BullMQ's requirement); the web's producer fails fast
 * (`enableOfflineQueue: false`) so a submit answers 503 instead of hanging.
 */
export type RedisRole = "worker" | "blocking" | "web";

export function createRedis(url: string, role: RedisRole, name?: string): Redis {
  const common = { connectionName: name ? `agentdesk:${name}` : undefined, lazyConnect: false };
  if (role === "web") {
    return new Redis(url, {
      ...common,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
    });
  }
  return new Redis(url, { ...common, maxRetriesPerRequest: null, enableReadyCheck: true });
}

export class RedisPolicyError extends Error {}

/**
 * BullMQ and the event log lose data if Redis evicts keys. Refuse to start on such a Redis,
 * naming the setting to change.
 */
export async function assertNoEviction(redis: Redis): Promise<void> {
  let policy: string | undefined;
  try {
    const reply = (await redis.config("GET", "maxmemory-policy")) as string[];
    policy = reply[1];
  } catch {
    // Managed Redis services often disable CONFIG; INFO carries the same value.
    const info = await redis.info("memory");
    policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
  }
  if (policy && policy !== "noeviction") {
    throw new RedisPolicyError(
      `Redis maxmemory-policy is "${policy}"; AgentDesk needs "noeviction" or queued runs and ` +
        `events can be silently dropped. Set it with: redis-cli CONFIG SET maxmemory-policy noeviction ` +
        `(and maxmemory-policy noeviction in redis.conf).`,
    );
  }
}

/** Waits for a client to be ready, or rejects after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off("ready", onReady);
    };
    redis.on("ready", onReady);
  });
}

/**
 * A Lua script run atomically by Redis, defined on each connection the first time it is used
 * there (ioredis then runs it by its hash, sending the source only when Redis lacks it).
 */
export function luaScript<Result>(name: string, numberOfKeys: number, lua: string) {
  return (redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<Result> => {
    if (keys.length !== numberOfKeys) throw new Error(`${name} takes ${numberOfKeys} keys, got ${keys.length}`);
    const commands = redis as unknown as Record<string, ((...a: (string | number)[]) => Promise<Result>) | undefined>;
    if (typeof commands[name] !== "function") redis.defineCommand(name, { numberOfKeys, lua });
    return commands[name]!.call(redis, ...keys, ...args);
  };
}
