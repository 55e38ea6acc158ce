import { Redis } from "ioredis";
import { evictionPolicyOf, evictionProblem } from "./redisDurability";

/**
 * Redis clients by role. Blocking readers and the job process wait out a Redis restart
 * (`maxRetriesPerRequest: null`, BullMQ's requirement); the web's producer fails fast
 * (`enableOfflineQueue: false`) so a submit answers 503 instead of hanging, also when Redis
 * accepts the connection but does not answer (a paused or overloaded server, a half-open
 * connection): `commandTimeout` gives up on a command after WEB_COMMAND_TIMEOUT_MS. The web
 * connection carries no blocking command (those have their own "blocking" connections).
 */
export const WEB_COMMAND_TIMEOUT_MS = 2_000;

export type RedisRole = "worker" | "blocking" | "web";

export function createRedis(url: string, role: RedisRole, name?: string): Redis {
  const common = { connectionName: name ? `agentdesk:${name}` : undefined, lazyConnect: false };
  if (role === "web") {
    return new Redis(url, {
      ...common,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: WEB_COMMAND_TIMEOUT_MS,
    });
  }
  return new Redis(url, { ...common, maxRetriesPerRequest: null, enableReadyCheck: true });
}

export class RedisPolicyError extends Error {}

/**
 * BullMQ and the event log lose data if Redis evicts keys. Refuse to start on such a Redis,
 * naming the setting to change (lib/redisDurability.ts).
 */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const problem = evictionProblem(await evictionPolicyOf(redis));
  if (problem) throw new RedisPolicyError(problem);
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

/**
 * The string values of every key matching `pattern` (SCAN, never KEYS: it does not block
 * Redis), for the small sets of per-process records job processes keep there (adverts, cache
 * reports). A key that expires between the scan and the read is left out.
 */
export async function valuesMatching(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 200);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  return values.filter((v): v is string => v !== null);
}
