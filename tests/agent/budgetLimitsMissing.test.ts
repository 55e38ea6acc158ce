import crypto from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spendingReader } from "../../jobs/run/budgetWaitpoint";
import { loadConfig } from "../../lib/config";
import { budgetKeys, LIMITS_LOADED_FIELD, monthOf, TEAM_LIMIT_FIELD } from "../../lib/contracts/budgets";
import { createRedis } from "../../lib/redis";

/**
 * A lost limits key must not lift a limit: a run whose team's limits are not in Redis (Redis
 * lost them and the web has not reloaded them yet, or the web is down) waits at the turn
 * boundary, says so once, and goes on only with the limits loaded again, or stops when the run
 * is stopped. Real Redis; the limits are written under the contract's keys as the web does.
 */
let redis: Redis;
const timing = { noticeMs: 100, pollMs: 20, slowPollMs: 50 };

beforeAll(() => {
  redis = createRedis(loadConfig().redisUrl, "worker");
});

afterAll(async () => {
  await redis.quit();
});

function setUp() {
  const namespace = `budgetwait${crypto.randomBytes(4).toString("hex")}:`;
  const teamId = crypto.randomUUID();
  const run = { runId: crypto.randomUUID(), userId: crypto.randomUUID(), spending: { teamId, month: monthOf(new Date()) } };
  const logs: { level: string; message: string }[] = [];
  const emit = async (event: { type: string; level?: string; message?: string }) => {
    if (event.type === "log") logs.push({ level: event.level!, message: event.message! });
  };
  const loadLimits = (teamUsd: number) => redis.hset(budgetKeys(namespace).limits(teamId), { [LIMITS_LOADED_FIELD]: "1", [TEAM_LIMIT_FIELD]: String(teamUsd) });
  return { namespace, run, logs, emit, loadLimits };
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, 0));
  return done;
};

describe("a run's spending limits missing from Redis", () => {
  it("reads them at once when they are loaded", async () => {
    const { namespace, run, logs, emit, loadLimits } = setUp();
    await loadLimits(5);
    const state = await spendingReader(redis, namespace, run, emit, new AbortController().signal, timing)(0.25);
    expect(state).toEqual({ team: { limitUsd: 5, spendUsd: 0.25 }, user: { limitUsd: null, spendUsd: 0.25 } });
    expect(logs).toEqual([]);
  });

  it("waits while they are missing, says so once, and goes on with the limits once loaded again", async () => {
    const { namespace, run, logs, emit, loadLimits } = setUp();
    const reading = spendingReader(redis, namespace, run, emit, new AbortController().signal, timing)(0.5);
    await new Promise((r) => setTimeout(r, 500));
    expect(await settled(reading)).toBe(false);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: "warn", message: expect.stringContaining("waiting for the team's spending limits before the next turn") });

    await loadLimits(1);
    const state = await reading;
    expect(state?.team).toEqual({ limitUsd: 1, spendUsd: 0.5 });
    expect(logs.map((l) => l.level)).toEqual(["warn", "info"]);
  });

  it("stops waiting when the run is stopped", async () => {
    const { namespace, run, emit } = setUp();
    const stop = new AbortController();
    const reading = spendingReader(redis, namespace, run, emit, stop.signal, timing)(0);
    setTimeout(() => stop.abort(new Error("cancelled by a person")), 300);
    await expect(reading).rejects.toThrow("cancelled by a person");
  });
});
