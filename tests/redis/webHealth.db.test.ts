import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { createRedis, waitForRedis } from "@/lib/redis";
import { startTestRedis, type TestRedis } from "../support/testRedis";
import { call, getApp } from "../support/web";

// The web process of this file talks to a Redis of its own, whose settings the test changes.
let own: TestRedis;
let admin: Redis;

beforeAll(async () => {
  own = await startTestRedis();
  process.env.REDIS_URL = own.url;
  admin = createRedis(own.url, "worker");
  const app = await getApp();
  expect(app.config.redisUrl).toBe(own.url);
  // The web's client fails fast while it connects; health right after start would say "down".
  await waitForRedis(app.redis);
});
afterAll(async () => {
  admin?.disconnect();
  await own?.stop();
});
afterEach(async () => {
  await admin.config("SET", "appendonly", "no");
  await admin.config("SET", "maxmemory-policy", "noeviction");
});

async function webHealth() {
  const res = await call(health, "/api/health");
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("GET /api/health and Redis durability", () => {
  it("shows a Redis without persistence with a warning, and stays healthy", async () => {
    const { status, body } = await webHealth();
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, db: true, redis: true, redisPersistence: "none", redisEvictionPolicy: "noeviction" });
    expect((body.warnings as string[])[0]).toMatch(/restart loses queued runs/);
  });

  it("drops the warning as soon as the append-only file is on", async () => {
    await admin.config("SET", "appendonly", "yes");
    const { status, body } = await webHealth();
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, redisPersistence: "aof" });
    expect(body).not.toHaveProperty("warnings");
  });

  it("answers 503 for an evicting Redis, naming the policy and the fix", async () => {
    await admin.config("SET", "maxmemory-policy", "allkeys-lru");
    const { status, body } = await webHealth();
    expect(status).toBe(503);
    expect(body).toMatchObject({ ok: false, redis: true, redisEvictionPolicy: "allkeys-lru" });
    expect((body.warnings as string[]).join(" ")).toMatch(/CONFIG SET maxmemory-policy noeviction/);
  });
});
