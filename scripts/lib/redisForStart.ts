import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
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
  /** The URL the web and the job process use: REDIS_URL, or our private server's with its password. */
  url: string;
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
  // The failure reaches us through connect()/ping() below; this listener stops ioredis from
  // also printing it as an unhandled "error" event, and keeps its cause (NOAUTH, WRONGPASS),
  // which connect() reports only as "Connection is closed".
  let cause: Error | undefined;
  redis.on("error", (err: Error) => (cause = err));
  // "connect" is the TCP connection; connect() below also waits for AUTH and the ready check,
  // so a Redis that wants a password rejects it although something answered.
  let connected = false;
  redis.once("connect", () => (connected = true));
  try {
    await redis.connect();
    await redis.ping();
    return { redis };
  } catch (err) {
    redis.disconnect();
    return { redis: null, connected, reason: (cause ?? (err as Error)).message };
  }
}

/** The URL with this password (and no user name: the private server has only the default user). */
export function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.username = "";
  u.password = password;
  return u.toString();
}

/**
 * The private server's password: random, made on the first start and kept in a file only our
 * OS user can read (DATA_DIR/redis/password), so a restarted start finds the same server's
 * data under the same password. Anything a run executes sees no DATA_DIR (the sandbox).
 */
export function privateRedisPassword(dataDir: string): { password: string; file: string } {
  const dir = path.join(dataDir, "redis");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, "password");
  try {
    fs.writeFileSync(file, `${crypto.randomBytes(32).toString("hex")}\n`, { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  // An older or copied file may have wider permissions; the password is only for us.
  fs.chmodSync(file, 0o600);
  const password = fs.readFileSync(file, "utf8").trim();
  if (!/^[A-Za-z0-9]{16,}$/.test(password)) {
    throw new StartError(`${file} does not hold a usable Redis password (16 or more letters and digits); delete it and start again to make a new one.`);
  }
  return { password, file };
}

const isNoAuth = (reason: string) => /NOAUTH/i.test(reason);
const isWrongPassword = (reason: string) => /WRONGPASS|invalid password|invalid username-password/i.test(reason);

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
  const parsed = new URL(url);
  const first = await probeRedis(url, 1_500);
  if (first.redis) {
    log(`Redis: using ${where}`);
    if (!parsed.password) {
      log(
        `Redis: warning: ${where} needs no password, so any process that reaches it can read every run's events; ` +
          `set one (requirepass) and put it in REDIS_URL.`,
      );
    }
    await refuseEvictingRedis(first.redis);
    return { url, privateServer: null, stop: async () => {} };
  }
  if (first.connected) {
    if (isNoAuth(first.reason) && !parsed.password) {
      // Perhaps our own private server, left running by a start that was killed.
      const ours = await ourPrivateRedis(options.dataDir, url);
      if (ours) {
        log(`Redis: using the private redis-server already running at ${where}`);
        await refuseEvictingRedis(ours.redis);
        return { url: ours.url, privateServer: null, stop: async () => {} };
      }
      throw new StartError(
        `Redis at ${where} (REDIS_URL) requires a password. Put it in REDIS_URL: ` +
          `redis://:PASSWORD@${where} (or redis://USER:PASSWORD@${where} for an ACL user).`,
      );
    }
    if (isWrongPassword(first.reason)) {
      throw new StartError(
        `Redis at ${where} (REDIS_URL) refused the ${parsed.username ? "user name or " : ""}password in REDIS_URL; ` +
          `correct it (redis://:PASSWORD@${where}).`,
      );
    }
    // Something listens there (not Redis at all, or a Redis that fails): our own server could
    // not take that port, and guessing would hide the real problem.
    throw new StartError(`Redis at ${where} (REDIS_URL) accepted a connection but failed: ${first.reason}`);
  }

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
  const { password, file } = privateRedisPassword(options.dataDir);
  const privateUrl = withPassword(url, password);
  log(`Redis: nothing answers at ${where}; starting a private redis-server (data in ${dir}, password in ${file})`);
  const server = await spawnChild(
    "redis",
    "redis-server",
    // "-": the rest of the configuration comes on stdin, so the password is in no command line.
    [
      "-",
      "--dir", dir,
      "--port", port,
      // `-::1` adds IPv6 loopback where the host has it, so "localhost" works either way.
      "--bind", "127.0.0.1", "-::1",
      "--daemonize", "no",
      // Append-only file: queued runs and unrecorded events survive a restart.
      "--appendonly", "yes",
      "--maxmemory-policy", "noeviction",
      "--save", "",
    ],
    { cwd: options.cwd, env: process.env, stdin: `requirepass ${password}\n` },
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
    const probe = await probeRedis(privateUrl, 500);
    if (probe.redis) {
      try {
        await refuseEvictingRedis(probe.redis);
      } catch (err) {
        await stop();
        throw err;
      }
      return { url: privateUrl, privateServer: server, stop };
    }
    if (Date.now() > deadline) {
      await stop();
      throw new StartError(`The private redis-server did not answer on port ${port} in time (${probe.reason}).`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The Redis at `url` if it takes the private server's stored password (never creates one). */
async function ourPrivateRedis(dataDir: string, url: string): Promise<{ redis: Redis; url: string } | null> {
  let password: string;
  try {
    password = fs.readFileSync(path.join(dataDir, "redis", "password"), "utf8").trim();
  } catch {
    return null;
  }
  if (!password) return null;
  const candidate = withPassword(url, password);
  const probe = await probeRedis(candidate, 1_500);
  return probe.redis ? { redis: probe.redis, url: candidate } : null;
}
