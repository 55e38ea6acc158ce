import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createRun } from "@/app/api/runs/route";
import { QUEUE_UNREACHABLE } from "@/lib/errors";
import { run } from "@/lib/db/schema";
import { waitForRedis } from "@/lib/redis";
import { UserChannelHub } from "@/lib/server/userChannelHub";
import { userChannelStream } from "@/lib/server/userChannelStream";
import { runVisibility } from "@/lib/services/runVisibility";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { startTestRedis, type TestRedis } from "../support/testRedis";
import { call, getApp, principalFor, registerRepo, signUp, type Session } from "../support/web";

/**
 * The web while its Redis does not answer (issue 13 item 3): a submit is refused with a 503
 * that says the queue is unreachable, whether Redis is stopped or accepts connections without
 * answering, and no run is left without a job; a live channel asked for meanwhile is refused
 * (the browser shows it), not opened as if all were well, and one already open ends. This file's web has a Redis of its own, which the tests pause and stop.
 */
let own: TestRedis;
let admin: Redis;
let owner: Session;
let repo: TestRepo;

beforeAll(async () => {
  own = await startTestRedis();
  process.env.REDIS_URL = own.url;
  const app = await getApp();
  expect(app.config.redisUrl).toBe(own.url);
  await waitForRedis(app.redis);
  admin = new Redis(own.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  admin.on("error", () => {});
  owner = await signUp("unreachable-owner@example.com");
  repo = await createTestRepo({ files: { "README.md": "hello\n" } });
  expect((await registerRepo(owner, { name: "unreachable", url: repo.url })).status).toBe(201);
});
afterAll(async () => {
  admin?.disconnect();
  await repo?.remove();
  await own?.stop();
});

const submit = () => call(createRun, "/api/runs", { as: owner, body: { repo: "unreachable", command: "true" } });
const runCount = async () => (await (await getApp()).db.select({ id: run.id }).from(run)).length;

function textReader(stream: ReadableStream<Uint8Array>) {
  const bytes = stream.getReader();
  const decoder = new TextDecoder();
  return async (): Promise<string | null> => {
    const chunk = await bytes.read();
    return chunk.done ? null : decoder.decode(chunk.value, { stream: true });
  };
}

describe("the web while Redis does not answer", () => {
  it("submits normally while Redis answers", async () => {
    expect((await submit()).status).toBe(201);
  });

  it("refuses a submit with 503 while Redis accepts connections but answers nothing, and keeps no run", async () => {
    const before = await runCount();
    // Every client's commands are held for 8 s: without a command timeout the submit would
    // simply wait, then succeed (201) once Redis answers again.
    await admin.client("PAUSE", 8_000, "ALL");
    try {
      const started = Date.now();
      const res = await submit();
      console.log(`[webUnreachable] submit against a paused Redis answered ${res.status} after ${Date.now() - started} ms`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: { code: "unavailable", message: `${QUEUE_UNREACHABLE}; try again shortly` } });
      expect(await runCount()).toBe(before);
    } finally {
      // The pause ends by itself; the next tests need Redis answering again.
      while ((await (await getApp()).redis.ping().catch(() => null)) !== "PONG") await new Promise((r) => setTimeout(r, 200));
    }
  }, 30_000);

  it("refuses a live channel and a submit while Redis is stopped", async () => {
    const app = await getApp();
    const hub = new UserChannelHub(app.config.redisUrl, app.config.redisPrefix, "user-channel-hub-unreachable");
    const ownerSees = runVisibility(await principalFor(owner));
    const open = () =>
      textReader(
        userChannelStream({
          redis: app.redis,
          stream: app.eventLog.keys.runChanges,
          hub,
          visibility: ownerSees,
          afterId: null,
          signal: new AbortController().signal,
        }),
      );
    try {
      const channel = open();
      let text = "";
      while (!text.includes("event: resync")) text += (await channel()) ?? "";
      await own.stop();
      // The channel already open ends too (its hub lost its connection), so that page leaves
      // "Live" now rather than looking live until Redis is back.
      for (let chunk = await channel(); chunk !== null; chunk = await channel()) text += chunk;

      // A browser's (re)connect gets the server's "interrupted" message and the end, not a
      // quiet open channel: the page says "Reconnecting…", then "Offline — updates paused".
      const again = open();
      let second = "";
      for (let chunk = await again(); chunk !== null; chunk = await again()) second += chunk;
      expect(second).toMatch(/^event: error$/m);
      expect(second).not.toMatch(/^event: (ready|resync)$/m);

      const before = await runCount();
      const started = Date.now();
      const res = await submit();
      console.log(`[webUnreachable] submit against a stopped Redis answered ${res.status} after ${Date.now() - started} ms`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(`${QUEUE_UNREACHABLE}; try again shortly`);
      expect(await runCount()).toBe(before);
    } finally {
      hub.stop();
    }
  }, 30_000);
});
