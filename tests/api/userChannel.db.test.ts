import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { GET as events } from "@/app/api/events/route";
import { POST as answer } from "@/app/api/runs/[id]/inputs/[requestId]/route";
import { POST as cancel } from "@/app/api/runs/[id]/cancel/route";
import { POST as createRun } from "@/app/api/runs/route";
import { createRunEmitter } from "@/jobs/emit";
import { requestHumanInput } from "@/jobs/humanInput";
import { runChange, type RunChange } from "@/lib/contracts/runChanges";
import { appendEvent, createEventLog, decodeEntry, entryFields } from "@/lib/eventLog";
import { projectEvent } from "@/lib/projection";
import { RECORDER_GROUP, startRecorder, type Recorder } from "@/lib/recorder";
import { createRedis } from "@/lib/redis";
import { appendRunChange } from "@/lib/runChangeLog";
import { UserChannelHub, userChannelHub } from "@/lib/server/userChannelHub";
import { userChannelStream } from "@/lib/server/userChannelStream";
import { runVisibility } from "@/lib/services/runVisibility";
import { eventually } from "../jobs/helpers";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { call, getApp, otherTeam, principalFor, readSse, registerRepo, signUp, type Session, type SseMessage } from "../support/web";
import { startWebWorker } from "../support/webWorker";

/**
 * The live channel (GET /api/events): every user gets the changes of the runs they may see
 * (their team's: another team's never reach them), written by the recorder after the database, resumable
 * exactly by Last-Event-ID, with `resync` when the id is gone, and not lost when the
 * recorder dies between writing an event and acknowledging it.
 */

let admin: Session;
let alice: Session;
let bob: Session;
let teamOfAlice: string;
let repo: TestRepo;
const repoName = `channel-${crypto.randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  admin = await signUp(`admin-${crypto.randomUUID()}@example.com`);
  alice = await signUp(`alice-${crypto.randomUUID()}@example.com`);
  teamOfAlice = (await principalFor(alice)).team!.id;
  // Bob works in another team, with a repository of the same name.
  bob = (await otherTeam()).owner;
  repo = await createTestRepo({ files: { "README.md": "# channel\n" } });
  expect((await registerRepo(admin, { name: repoName, url: repo.url })).status).toBe(201);
  expect((await registerRepo(bob, { name: repoName, url: repo.url })).status).toBe(201);
});

afterAll(async () => {
  userChannelHub("", "").stop();
  await repo?.remove();
});

/** An open channel read in the background, until `close()`. */
type Listener = {
  messages: SseMessage[];
  changes: () => (RunChange & { id: string })[];
  waitFor: (what: string, found: (m: SseMessage) => boolean, timeoutMs?: number) => Promise<SseMessage>;
  close: () => Promise<void>;
};

async function listen(as: Session, opts: { lastEventId?: string; after?: string } = {}): Promise<Listener> {
  const controller = new AbortController();
  const res = await call(events, `/api/events${opts.after ? `?after=${opts.after}` : ""}`, {
    as,
    headers: opts.lastEventId ? { "last-event-id": opts.lastEventId } : {},
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  const messages: SseMessage[] = [];
  let notify = () => {};
  // Aborting cancels the body, as a browser going away does (the server's stream ends by its
  // cancel); the request's own signal alone is not enough in-process: undici lets its link to
  // the caller's signal be garbage-collected.
  const reading = readSse(res, { timeoutMs: 600_000, signal: controller.signal, onMessage: (m) => (messages.push(m), notify()) });
  return {
    messages,
    changes: () => messages.filter((m) => m.event === "change").map((m) => ({ ...runChange.parse(m.data), id: m.id! })),
    async waitFor(what, found, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = messages.find(found);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no ${what} on the channel; it got ${JSON.stringify(messages)}`);
        await new Promise<void>((resolve) => {
          notify = resolve;
          setTimeout(resolve, 250);
        });
      }
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}

/** Reads a stream's bytes as text, one chunk per read (no pipe buffering ahead of the reader). */
function textReader(stream: ReadableStream<Uint8Array>) {
  const bytes = stream.getReader();
  const decoder = new TextDecoder();
  return {
    async read(): Promise<{ done: boolean; value?: string }> {
      const chunk = await bytes.read();
      return chunk.done ? { done: true } : { done: false, value: decoder.decode(chunk.value, { stream: true }) };
    },
    cancel: () => bytes.cancel(),
  };
}

const isChange = (pred: (c: RunChange) => boolean) => (m: SseMessage) => m.event === "change" && pred(m.data as RunChange);

async function newRun(as: Session, command: string): Promise<string> {
  const res = await call(createRun, "/api/runs", { as, body: { repo: repoName, command } });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

// Real runs and a recorder on a loaded 2-core machine (other test files beside): allow more than the default 30 s.
const SLOW = 240_000;

describe("with a real job process", () => {
  let jobProcess: Awaited<ReturnType<typeof startWebWorker>>;
  beforeAll(async () => {
    jobProcess = await startWebWorker(`channel-${crypto.randomBytes(3).toString("hex")}`);
  }, 120_000);
  afterAll(() => jobProcess?.stop());

  it("a first connection gets `resync` with the position it continues from, and leaves nothing behind when closed", async () => {
    const app = await getApp();
    const hub = userChannelHub(app.config.redisUrl, app.config.redisPrefix);
    const before = hub.listenerCount;
    const channel = await listen(alice);
    const first = await channel.waitFor("resync", (m) => m.event === "resync");
    expect(first).toMatchObject({ data: { reason: "fresh" }, id: expect.stringMatching(/^\d+-\d+$/) });
    expect(channel.messages[0]).toBe(first);
    expect(hub.listenerCount).toBe(before + 1);
    await channel.close();
    await eventually(async () => (hub.listenerCount === before ? true : undefined));
  }, SLOW);

  it("hands each user the changes of the runs they may see: their team's, never another team's", async () => {
    const [aliceChannel, bobChannel, adminChannel] = await Promise.all([listen(alice), listen(bob), listen(admin)]);
    const alicesRun = await newRun(alice, "echo built > out.txt");
    await aliceChannel.waitFor("alice's run finished", isChange((c) => c.runId === alicesRun && c.status === "awaiting_review"));
    const seen = aliceChannel.changes().filter((c) => c.runId === alicesRun);
    expect(seen[0]).toMatchObject({ kind: "created", status: "queued", userId: alice.userId });
    expect(seen.map((c) => c.status)).toContain("running");
    expect(seen.map((c) => c.kind)).toEqual(expect.arrayContaining(["created", "status", "details"]));
    expect(seen.every((c) => c.userId === alice.userId)).toBe(true);

    // Bob's own run, in his team, after alice's: once its end has reached him, alice's would have too.
    const bobsRun = await newRun(bob, "true");
    await bobChannel.waitFor("bob's run finished", isChange((c) => c.runId === bobsRun && c.status === "completed"));
    expect(bobChannel.changes().filter((c) => c.runId === alicesRun)).toEqual([]);
    expect(bobChannel.changes().every((c) => c.userId === bob.userId)).toBe(true);

    // The admin, alice's teammate, sees her run, never bob's (an instance admin outside his team);
    // a run of alice's team after bob's tells when bob's would have arrived.
    const marker = await newRun(alice, "true");
    await adminChannel.waitFor("the marker run finished", isChange((c) => c.runId === marker && c.status === "completed"));
    expect(adminChannel.changes().some((c) => c.runId === alicesRun && c.status === "awaiting_review")).toBe(true);
    expect(adminChannel.changes().filter((c) => c.runId === bobsRun)).toEqual([]);
    // Alice never gets bob's run either.
    expect(aliceChannel.changes().filter((c) => c.runId === bobsRun)).toEqual([]);
    await Promise.all([aliceChannel, bobChannel, adminChannel].map((c) => c.close()));
  }, SLOW);

  it("tells the owner when a run asks for approval and when the request is answered", async () => {
    const channel = await listen(alice);
    const runId = await newRun(alice, "sleep 120");
    await channel.waitFor("the run running", isChange((c) => c.runId === runId && c.status === "running"));
    // The job process's part (as the agent loop asks), on a job process's kind of connection.
    const app = await getApp();
    const jobRedis = createRedis(app.config.redisUrl, "worker");
    onTestFinished(() => void jobRedis.quit());
    const jobLog = createEventLog(jobRedis, app.config.redisPrefix);
    const requestId = `approve-${crypto.randomBytes(3).toString("hex")}`;
    const asked = requestHumanInput(
      { eventLog: jobLog, emit: createRunEmitter(jobLog, runId, []), runId, signal: new AbortController().signal, timeoutSec: 600 },
      { requestId, kind: "approval", tool: "shell", input: { command: "rm -rf build" }, reasons: ["deletes files"] },
    );
    const opened = await channel.waitFor("the request", isChange((c) => c.runId === runId && c.kind === "input" && c.status === "waiting_input"));
    expect(opened.data).toMatchObject({ requestId, userId: alice.userId });

    const res = await call(answer, `/api/runs/${runId}/inputs/${requestId}`, { as: alice, body: { decision: "approve" }, params: { id: runId, requestId } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await asked).toMatchObject({ decision: "approve" });
    // The answer route projects the event itself; the recorder then finds it written and still announces it.
    await channel.waitFor("the answer", isChange((c) => c.runId === runId && c.kind === "input" && c.requestId === requestId && c.status === "running"));

    expect((await call(cancel, `/api/runs/${runId}/cancel`, { as: alice, params: { id: runId } })).status).toBe(200);
    await channel.waitFor("the cancellation", isChange((c) => c.runId === runId && c.status === "cancelled"));
    await channel.close();
  }, SLOW);
});

describe("resuming, against the recorder alone", () => {
  let recorder: Recorder;
  const start = async (claimIdleMs?: number) => {
    const app = await getApp();
    recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100, claimIdleMs });
  };
  beforeAll(() => start());
  afterAll(() => recorder.stop());

  async function append(runId: string, ...bodies: Parameters<typeof appendEvent>[2][]) {
    const app = await getApp();
    for (const body of bodies) await appendEvent(app.eventLog, runId, body);
  }

  /** What the stream holds after `afterId` that `who` may see: exactly what a resume must send. */
  async function visibleAfter(afterId: string, who: Session): Promise<string[]> {
    const app = await getApp();
    const entries = await app.redis.xrange(app.eventLog.keys.runChanges, `(${afterId}`, "+");
    return entries.filter(([, fields]) => JSON.parse(entryFields(fields).data!).userId === who.userId).map(([id]) => id);
  }

  it("resumes after Last-Event-ID or ?after= with exactly the changes missed, and none of another user's", async () => {
    const channel = await listen(alice);
    const runId = await newRun(alice, "make");
    await append(runId, { type: "run.started", attempt: 1, worker: "test:1" }, { type: "usage", inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, costUsd: 0.001 });
    await channel.waitFor("usage", isChange((c) => c.runId === runId && c.kind === "usage"));
    await channel.close();
    const [created, started] = channel.changes().filter((c) => c.runId === runId);
    expect(created).toMatchObject({ kind: "created" });
    expect(started).toMatchObject({ kind: "status", status: "running" });

    // Missed while away: alice's run moves on, and bob's run changes in between.
    const bobsRun = await newRun(bob, "make");
    await append(
      runId,
      { type: "workspace.ready", branch: "agentdesk/make-1", baseBranch: "main", baseSha: "a".repeat(40), durationMs: 3 },
      { type: "input.requested", requestId: "q1", kind: "question", question: "Which port?" },
    );
    await append(bobsRun, { type: "run.started", attempt: 1, worker: "test:1" });
    await append(runId, { type: "run.failed", error: "boom" });
    await recorder.settle();

    const missed = await visibleAfter(started!.id, alice);
    expect(missed.length).toBe(4); // usage, details, input, status
    for (const how of [{ lastEventId: started!.id }, { after: started!.id }]) {
      const resumed = await listen(alice, how);
      await resumed.waitFor("the run's failure", isChange((c) => c.runId === runId && c.status === "failed"));
      expect(resumed.messages[0]).toMatchObject({ event: "ready" });
      expect(resumed.changes().map((c) => c.id)).toEqual(missed);
      expect(resumed.changes().map((c) => c.kind)).toEqual(["usage", "details", "input", "status"]);
      expect(resumed.changes().find((c) => c.kind === "input")).toMatchObject({ requestId: "q1", status: "waiting_input" });
      await resumed.close();
    }
  }, SLOW);

  it("sends `resync` for an id the stream no longer holds or never held", async () => {
    const app = await getApp();
    const runId = await newRun(alice, "make");
    await recorder.settle();
    const newestId = async () => (await app.redis.xrevrange(app.eventLog.keys.runChanges, "+", "-", "COUNT", 1))[0]![0];
    const [oldest] = await app.redis.xrange(app.eventLog.keys.runChanges, "-", "+", "COUNT", 1);
    expect(oldest![0]).not.toBe(await newestId());
    // As MAXLEN does once the stream is long: everything but the newest entry goes.
    await app.redis.xtrim(app.eventLog.keys.runChanges, "MAXLEN", 1);
    for (const [id, reason, next] of [
      [oldest![0], "trimmed", { type: "run.started", attempt: 1, worker: "test:1" }],
      ["9999999999999-0", "unknown", { type: "usage", inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, costUsd: 0.001 }],
    ] as const) {
      const position = await newestId();
      const channel = await listen(alice, { lastEventId: id });
      const first = await channel.waitFor("resync", (m) => m.event !== undefined);
      expect(first).toMatchObject({ event: "resync", id: position, data: { reason } });
      // And it is live from there.
      await append(runId, next);
      await channel.waitFor(`${next.type} of the run`, isChange((c) => c.runId === runId && c.kind === (next.type === "usage" ? "usage" : "status")));
      await channel.close();
    }
  }, SLOW);

  it("refuses an id that is not one with 400 naming where it came from", async () => {
    for (const [how, field] of [
      [{ headers: { "last-event-id": "yesterday" } }, "Last-Event-ID"],
      [{ path: "?after=1-2-3" }, "after"],
    ] as const) {
      const res = await call(events, `/api/events${"path" in how ? how.path : ""}`, { as: alice, headers: "headers" in how ? how.headers : {} });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "invalid_request", issues: [{ path: field }] } });
    }
    expect((await call(events, "/api/events", {})).status).toBe(401);
  }, SLOW);

  it("still announces a change when the recorder died after writing it and before acknowledging it", async () => {
    const app = await getApp();
    const channel = await listen(alice);
    const runId = await newRun(alice, "make");
    await channel.waitFor("the new run", isChange((c) => c.runId === runId));
    await recorder.stop();
    await append(runId, { type: "run.started", attempt: 1, worker: "test:1" });
    // A recorder that read the entry, wrote it to the database and died before XADD and XACK.
    const dead = createRedis(app.config.redisUrl, "blocking", "dead-recorder");
    const read = (await dead.xreadgroup("GROUP", RECORDER_GROUP, "dead-consumer", "COUNT", 10, "STREAMS", app.eventLog.keys.allEvents, ">")) as
      | [string, [string, string[]][]][]
      | null;
    dead.disconnect();
    const [[entryId, fields]] = read![0]![1] as [[string, string[]]];
    expect(await projectEvent(app.db, entryFields(fields).id!, decodeEntry(runId, fields)!)).toBe(true);
    expect(channel.changes().some((c) => c.runId === runId && c.status === "running")).toBe(false);

    await start(200);
    const announced = await channel.waitFor("the taken-over change", isChange((c) => c.runId === runId && c.status === "running"));
    expect(announced.data).toMatchObject({ kind: "status", userId: alice.userId });
    await recorder.settle();
    const pending = (await app.redis.xpending(app.eventLog.keys.allEvents, RECORDER_GROUP)) as [number];
    expect(pending[0]).toBe(0);
    expect(entryId).toMatch(/^\d+-\d+$/);
    await channel.close();
  }, SLOW);

  it("lets go of a client that stops reading, which then resumes exactly", async () => {
    const app = await getApp();
    const hub = userChannelHub(app.config.redisUrl, app.config.redisPrefix);
    const stalled = userChannelStream({
      redis: app.redis,
      stream: app.eventLog.keys.runChanges,
      hub,
      visibility: runVisibility(await principalFor(alice)),
      afterId: null,
      signal: new AbortController().signal,
      maxUnread: 5,
    });
    const reader = textReader(stalled);
    // The first reads (retry:, resync) show it is subscribed; then it reads nothing more.
    let text = "";
    while (!text.includes("event: resync")) text += (await reader.read()).value ?? "";
    const listeners = hub.listenerCount;
    const runId = await newRun(alice, "make");
    const now = new Date().toISOString();
    for (let i = 0; i < 20; i++) await appendRunChange(app.redis, app.eventLog.keys, { runId, userId: alice.userId, teamId: teamOfAlice, status: "queued", kind: "details", at: now });
    // What it had queued, then the end: the server closed it rather than hold more.
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += chunk.value;
    const delivered = text.match(/^event: change$/gm)?.length ?? 0;
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(20);
    expect(hub.listenerCount).toBe(listeners - 1);

    const lastId = [...text.matchAll(/^id: (.+)$/gm)].at(-1)![1]!;
    const resumed = await listen(alice, { lastEventId: lastId });
    await resumed.waitFor("the rest", () => resumed.changes().filter((c) => c.runId === runId && c.kind === "details").length === 20 - delivered);
    expect(resumed.messages[0]).toMatchObject({ event: "ready" });
    await resumed.close();
  }, SLOW);

  it("keeps a quiet channel's position current, so it resumes exactly past changes it may not see", async () => {
    const app = await getApp();
    const controller = new AbortController();
    const quiet = userChannelStream({
      redis: app.redis,
      stream: app.eventLog.keys.runChanges,
      hub: userChannelHub(app.config.redisUrl, app.config.redisPrefix),
      visibility: runVisibility(await principalFor(bob)),
      afterId: null,
      signal: controller.signal,
      heartbeatMs: 50,
    });
    const reader = textReader(quiet);
    let text = "";
    while (!text.includes("event: resync")) text += (await reader.read()).value ?? "";
    const alicesRun = await newRun(alice, "make");
    await recorder.settle();
    const [newest] = await app.redis.xrevrange(app.eventLog.keys.runChanges, "+", "-", "COUNT", 1);
    expect(JSON.parse(entryFields(newest![1]).data!)).toMatchObject({ runId: alicesRun });
    while (!text.includes(`id: ${newest![0]}\n`)) text += (await reader.read()).value ?? "";
    expect(text).not.toContain(alicesRun);
    controller.abort();
    await reader.cancel();
    const resumed = await listen(bob, { lastEventId: newest![0] });
    await resumed.waitFor("ready", (m) => m.event === "ready");
    await resumed.close();
  }, SLOW);

  it("closes its channels when the hub loses its Redis connection, and they resume exactly on a new one", async () => {
    const app = await getApp();
    // A hub of its own, so killing its connection touches no other test's.
    const name = `user-channel-hub-test-${crypto.randomUUID().slice(0, 8)}`;
    const hub = new UserChannelHub(app.config.redisUrl, app.config.redisPrefix, name);
    onTestFinished(() => hub.stop());
    const aliceSees = runVisibility(await principalFor(alice));
    const open = (afterId: string | null) =>
      textReader(
        userChannelStream({
          redis: app.redis,
          stream: app.eventLog.keys.runChanges,
          hub,
          visibility: aliceSees,
          afterId,
          signal: new AbortController().signal,
        }),
      );
    const channel = open(null);
    let text = "";
    while (!text.includes("event: resync")) text += (await channel.read()).value ?? "";
    const position = /^id: (.+)$/m.exec(text)![1]!;

    // Kill the hub's connection the way a Redis restart or a network cut would.
    const clients = (await app.redis.client("LIST")) as string;
    const hubClient = clients.split("\n").find((line) => line.includes(`name=agentdesk:${name} `));
    expect(hubClient).toBeDefined();
    await app.redis.client("KILL", "ID", /id=(\d+)/.exec(hubClient!)![1]!);
    for (let chunk = await channel.read(); !chunk.done; chunk = await channel.read()) text += chunk.value;

    // Meanwhile a change; the client comes back with its last id and gets exactly it.
    const runId = await newRun(alice, "make");
    await recorder.settle();
    const resumed = open(position);
    let after = "";
    while (!after.includes(runId)) {
      const chunk = await resumed.read();
      expect(chunk.done).toBe(false);
      after += chunk.value;
    }
    expect(after).toMatch(/^event: ready$/m);
    expect(after.match(/^event: change$/gm)).toHaveLength(1);
    // And the hub reads live again on its new connection.
    await appendRunChange(app.redis, app.eventLog.keys, { runId, userId: alice.userId, teamId: teamOfAlice, status: "queued", kind: "details", at: new Date().toISOString() });
    while (!after.includes('"kind":"details"')) {
      const chunk = await resumed.read();
      expect(chunk.done).toBe(false);
      after += chunk.value;
    }
    await resumed.cancel();
  }, SLOW);
});
