import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { createAuth, type Auth } from "../auth";
import { resolveAuthSecret } from "../authSecret";
import { getConfig, type Config } from "../config";
import { createSecretBox, type SecretBox } from "../secretBox";
import { dbTargetFromConfig, openDatabase, type Database, type Db } from "../db/client";
import { createEventLog, type EventLog } from "../eventLog";
import {
  createReviewsQueue,
  createRunsQueue,
  createSchedulesQueue,
  type JobPayload,
  type ReviewJobPayload,
  type ScheduleTickData,
} from "../queue";
import { createRedis } from "../redis";

/** Everything the web process's services need, created once per process. */
export type App = {
  config: Config;
  database: Database;
  db: Db;
  redis: Redis;
  eventLog: EventLog;
  queue: Queue<JobPayload>;
  /** Push and discard jobs (lib/queue.ts REVIEWS_QUEUE). */
  reviewsQueue: Queue<ReviewJobPayload>;
  schedulesQueue: Queue<ScheduleTickData>;
  auth: Auth;
  /** Seals and opens webhook secrets at rest (lib/secretBox.ts), keyed by AUTH_SECRET. */
  secretBox: SecretBox;
};

export async function createApp(config: Config): Promise<App> {
  const database = openDatabase(dbTargetFromConfig(config));
  await database.migrate();
  const redis = createRedis(config.redisUrl, "web", "web");
  // The web client fails fast; without a listener an outage would crash the process.
  redis.on("error", (err) => console.error("[redis] web connection:", err.message));
  const queue = createRunsQueue(redis, config.redisPrefix);
  queue.on("error", (err) => console.error("[queue] runs:", err.message));
  const reviewsQueue = createReviewsQueue(redis, config.redisPrefix);
  reviewsQueue.on("error", (err) => console.error("[queue] reviews:", err.message));
  const schedulesQueue = createSchedulesQueue(redis, config.redisPrefix);
  schedulesQueue.on("error", (err) => console.error("[queue] schedules:", err.message));
  const authSecret = resolveAuthSecret(config);
  const auth = createAuth({ db: database.db, config, secret: authSecret });
  return {
    config,
    database,
    db: database.db,
    redis,
    eventLog: createEventLog(redis, config.redisPrefix),
    queue,
    reviewsQueue,
    schedulesQueue,
    auth,
    secretBox: createSecretBox(authSecret),
  };
}

// Kept on globalThis so Next's dev-mode module reloads reuse one database handle (PGlite
// allows a single opener) and one set of Redis connections.
const holder = globalThis as unknown as { __agentdeskApp?: Promise<App> };

export function getApp(): Promise<App> {
  holder.__agentdeskApp ??= createApp(getConfig()).catch((err) => {
    holder.__agentdeskApp = undefined;
    throw err;
  });
  return holder.__agentdeskApp;
}

export async function closeApp(): Promise<void> {
  const pending = holder.__agentdeskApp;
  holder.__agentdeskApp = undefined;
  if (!pending) return;
  const app = await pending;
  await app.queue.close();
  await app.reviewsQueue.close();
  await app.schedulesQueue.close();
  app.redis.disconnect();
  await app.database.close();
}
