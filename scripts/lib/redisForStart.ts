import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { assertNoEviction } from "../../lib/redis";
import { describeExit, spawnChild, type ManagedChild } from "./children";
import { StartError } from "./startError";

export const REDIS_INSTALL_HELP = [
  "Get one of these and run the command again:",
  "  Debian/Ubuntu:  sudo apt-get install redis-server",
  "  macOS:          brew install redis && brew services start redis",
  "  Docker:         docker run -d -p 6379:6379 redis:7 --maxmemory-policy noeviction",
  "or point REDIS_URL at a Redis you already run.",
].join("\n");

export type RedisForStart = {
  /** The private redis-server we started, or null when an existing Redis answered. */
  privateServer: ManagedChild | null;
  stop: () => Promise<void>;
};

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** The URL's host:port, never its credentials. */
export function describeRedisUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || "6379"}`;
}

export type RedisProbe =
  | { redis: Redis }
  | { redis: null; connected: boolean; reason: string };

/** Connects once, without ioredis's endless reconnecting, and pings. */
export async function probeRedis(url: string, timeoutMs: number): Promise<RedisProbe> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The failure reaches us through connect()/ping() below; this listener only stops ioredis
  // from also printing it as an unhandled "error" event.
  redis.on("error", () => {});
  let connected = false;
  try {
    await redis.connect();
    connected = true;
    await redis.ping();
    return { redis };
  } catch (err) {
    redis.disconnect();
    return { redis: null, connected, reason: (err as Error).message };
  }
}

function hasRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

async function refuseEvictingRedis(redis: Redis): Promise<void> {
  try {
    await assertNoEviction(redis);
  } catch (err) {
    throw new StartError((err as Error).message);
  } finally {
    redis.disconnect();
  }
}

/**
 * A Redis for `npm start`: the one at REDIS_URL if it answers, otherwise a private
 * redis-server under DATA_DIR on the URL's port when that is possible here, otherwise a
 * StartError saying how to get one.
 */
export async function ensureRedis(options: {
  url: string;
  dataDir: string;
  cwd: string;
  log: (line: string) => void;
  timeoutMs?: number;
}): Promise<RedisForStart> {
  const { url, log } = options;
  const where = describeRedisUrl(url);
  const first = await probeRedis(url, 1_500);
  if (first.redis) {
    log(`Redis: using ${where}`);
    await refuseEvictingRedis(first.redis);
    return { privateServer: null, stop: async () => {} };
  }
  if (first.connected) {
    // Something listens there (a Redis wanting a password, or not Redis at all): our own
    // server could not take that port, and guessing would hide the real problem.
    throw new StartError(`Redis at ${where} (REDIS_URL) accepted a connection but failed: ${first.reason}`);
  }

  const parsed = new URL(url);
  if (!LOCAL_HOSTS.has(parsed.hostname)) {
    throw new StartError(`Redis at ${where} (REDIS_URL) does not answer (${first.reason}).\n${REDIS_INSTALL_HELP}`);
  }
  // A private server would need the URL's password or TLS set up to match; we do neither.
  if (parsed.password || parsed.username || parsed.protocol === "rediss:") {
    throw new StartError(
      `Redis at ${where} (REDIS_URL) does not answer, and a URL with credentials or TLS needs ` +
        `a Redis you set up yourself.\n${REDIS_INSTALL_HELP}`,
    );
  }
  if (!hasRedisServer()) {
    throw new StartError(
      `Redis at ${where} (REDIS_URL) does not answer and redis-server is not installed.\n${REDIS_INSTALL_HELP}`,
    );
  }

  const port = parsed.port || "6379";
  const dir = path.join(options.dataDir, "redis");
  fs.mkdirSync(dir, { recursive: true });
  log(`Redis: nothing answers at ${where}; starting a private redis-server (data in ${dir})`);
  const server = await spawnChild(
    "redis",
    "redis-server",
    [
      "--dir", dir,
      "--port", port,
      // `-::1` adds IPv6 loopback where the host has it, so "localhost" works either way.
      "--bind", "127.0.0.1", "-::1",
      "--daemonize", "no",
      "--appendonly", "yes",
      "--maxmemory-policy", "noeviction",
      "--save", "",
    ],
    { cwd: options.cwd, env: process.env },
  );
  const stop = async () => {
    await server.stop(10_000);
  };

  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    if (server.hasExited()) {
      const info = await server.exited;
      throw new StartError(
        `The private redis-server stopped at start-up (${describeExit(info)}); its output is above.`,
      );
    }
    const probe = await probeRedis(url, 500);
    if (probe.redis) {
      try {
        await refuseEvictingRedis(probe.redis);
      } catch (err) {
        await stop();
        throw err;
      }
      return { privateServer: server, stop };
    }
    if (Date.now() > deadline) {
      await stop();
      throw new StartError(`The private redis-server did not answer on port ${port} in time (${probe.reason}).`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
