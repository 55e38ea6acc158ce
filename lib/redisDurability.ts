import type { Redis } from "ioredis";

/**
 * Whether Redis keeps what AgentDesk puts in it: queued runs, unrecorded events, answers.
 * Two settings decide it. An eviction policy other than `noeviction` drops keys silently when
 * memory runs out (refused: the job process will not start, the web's health is 503). No
 * persistence (neither an append-only file nor RDB save points) loses everything on a restart:
 * queued runs stay `queued` for ever (a loud warning at start and on both health endpoints).
 */
export type RedisPersistence = "aof" | "rdb" | "none" | "unknown";

export type RedisDurability = {
  /** `maxmemory-policy`, or null when this Redis does not say. */
  evictionPolicy: string | null;
  persistence: RedisPersistence;
  /** Set when the eviction policy can lose data: the process must not go on as if all is well. */
  problem?: string;
  /** Set when a restart of Redis would lose data. */
  warning?: string;
};

async function configValue(redis: Redis, name: string): Promise<string | null> {
  try {
    const reply = (await redis.config("GET", name)) as string[];
    return reply.length >= 2 ? (reply[1] ?? null) : null;
  } catch {
    // Managed Redis services often disable CONFIG; the caller falls back to INFO.
    return null;
  }
}

export async function evictionPolicyOf(redis: Redis): Promise<string | null> {
  const configured = await configValue(redis, "maxmemory-policy");
  if (configured !== null) return configured;
  const info = await redis.info("memory");
  return /maxmemory_policy:(\S+)/.exec(info)?.[1] ?? null;
}

export async function persistenceOf(redis: Redis): Promise<RedisPersistence> {
  const info = await redis.info("persistence");
  if (/^aof_enabled:1\b/m.test(info)) return "aof";
  // Save points are only in CONFIG: "" means none; "3600 1 300 100" means RDB snapshots.
  const save = await configValue(redis, "save");
  if (save === null) return "unknown";
  return save.trim() === "" ? "none" : "rdb";
}

export function evictionProblem(policy: string | null): string | undefined {
  if (!policy || policy === "noeviction") return undefined;
  return (
    `Redis maxmemory-policy is "${policy}"; AgentDesk needs "noeviction" or queued runs and ` +
    `events can be silently dropped. Set it with: redis-cli CONFIG SET maxmemory-policy noeviction ` +
    `(and maxmemory-policy noeviction in redis.conf).`
  );
}

const NO_PERSISTENCE =
  "Redis keeps nothing on disk (no appendonly file, no save points): a Redis restart loses queued runs " +
  "(they stay queued), unrecorded events and pending answers. Turn on the append-only file: " +
  "redis-cli CONFIG SET appendonly yes (and appendonly yes in redis.conf).";

export async function inspectRedisDurability(redis: Redis): Promise<RedisDurability> {
  const [evictionPolicy, persistence] = await Promise.all([evictionPolicyOf(redis), persistenceOf(redis)]);
  const problem = evictionProblem(evictionPolicy);
  return {
    evictionPolicy,
    persistence,
    ...(problem ? { problem } : {}),
    ...(persistence === "none" ? { warning: NO_PERSISTENCE } : {}),
  };
}

/** The durability fields both health endpoints show. */
export function durabilityFields(d: RedisDurability) {
  return {
    redisEvictionPolicy: d.evictionPolicy,
    redisPersistence: d.persistence,
    ...(d.problem || d.warning ? { warnings: [d.problem, d.warning].filter((w): w is string => Boolean(w)) } : {}),
  };
}
