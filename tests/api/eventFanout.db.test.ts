import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as runEvents } from "@/app/api/runs/[id]/events/route";
import { POST as createRun } from "@/app/api/runs/route";
import { appendEvent } from "@/lib/eventLog";
import type { EventBodyInput } from "@/lib/events";
import { startRecorder, type Recorder } from "@/lib/recorder";
import { RunEventHub } from "@/lib/server/runEventHub";
import { nodeSseConnection } from "@/lib/server/sseConnection";
import { runEventStream, startRunEventFeed, VIEWER_QUEUE_BYTES } from "@/lib/server/runEventStream";
import { call, getApp, readSse, registerRepo, signUp, type Session } from "../support/web";

/**
 * Live fan-out of a run's feed (lib/server/runEventHub.ts, runEventStream.ts): many viewers,
 * joining at any point, slow ones, and a hub that loses its Redis connection all receive the
 * run's complete sequence, each event exactly once and in order.
 */
describe("event fan-out to many viewers", () => {
  let owner: Session;
  let recorder: Recorder;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-repo-"));
  const hubs: RunEventHub[] = [];

  beforeAll(async () => {
    owner = await signUp("fanout-owner@example.com");
    expect((await registerRepo(owner, { name: "demo", url: repoDir })).status).toBe(201);
    const app = await getApp();
    recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100 });
  });
  afterAll(async () => {
    hubs.forEach((h) => h.stop());
    await recorder.stop();
  });

  async function newRun(): Promise<string> {
    const res = await call(createRun, "/api/runs", { as: owner, body: { repo: "demo", command: "make" } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  /** Every id the run's Redis stream holds now (run.queued included), oldest first. */
  async function idsInStream(runId: string): Promise<string[]> {
    const app = await getApp();
    return (await app.redis.xrange(app.eventLog.keys.runEvents(runId), "-", "+")).map(([id]) => id);
  }

  async function appendLogs(runId: string, from: number, count: number, pad = 0): Promise<string[]> {
    const app = await getApp();
    const ids: string[] = [];
    for (let i = from; i < from + count; i++) {
      ids.push((await appendEvent(app.eventLog, runId, { type: "log", level: "info", message: `line ${i} ${"x".repeat(pad)}` })).id);
    }
    return ids;
  }

  const ending: EventBodyInput = { type: "run.failed", error: "boom" };

  async function appendEnding(runId: string): Promise<string> {
    const app = await getApp();
    return (await appendEvent(app.eventLog, runId, ending)).id;
  }

  const viaRoute = (runId: string, lastEventId?: string) =>
    call(runEvents, `/api/runs/${runId}/events`, {
      as: owner,
      params: { id: runId },
      headers: lastEventId ? { "last-event-id": lastEventId } : {},
    });

  /** A hub of our own with a unique Redis connection name, so a test can kill exactly it. */
  async function ownHub(): Promise<{ hub: RunEventHub; name: string }> {
    const app = await getApp();
    const name = `sse-hub-test-${crypto.randomUUID().slice(0, 8)}`;
    const hub = new RunEventHub(app.config.redisUrl, app.config.redisPrefix, name);
    hubs.push(hub);
    return { hub, name };
  }

  async function viewer(hub: RunEventHub, runId: string, afterId: string, queueBytes?: number) {
    const app = await getApp();
    const controller = new AbortController();
    const stream = runEventStream({ db: app.db, log: app.eventLog, hub, runId, afterId, signal: controller.signal, queueBytes });
    return new Response(stream);
  }

  const expectExactly = (got: { messages: { id?: string }[]; ended: boolean }, expected: string[]) => {
    expect(got.ended).toBe(true);
    expect(got.messages.map((m) => m.id)).toEqual(expected);
  };

  it("50 viewers joining before, during and after a burst, some from ids Redis no longer holds, get the same exact sequence", async () => {
    const runId = await newRun();
    const early = await appendLogs(runId, 0, 20);
    const all = await idsInStream(runId);
    expect(all.slice(1)).toEqual(early);
    await recorder.settle();
    const app = await getApp();
    // Redis keeps only the last five: resuming before them needs the database.
    await app.redis.xtrim(app.eventLog.keys.runEvents(runId), "MAXLEN", 5);

    const readers: { from: number; reading: ReturnType<typeof readSse> }[] = [];
    // from = index in `all` of the last event the viewer already has (-1: none).
    const open = async (from: number) => {
      readers.push({ from, reading: readSse(await viaRoute(runId, from < 0 ? undefined : all[from]), { timeoutMs: 20_000 }) });
    };
    for (const from of [-1, 0, 2, 9, 15, 18, 20, -1, 3, 19]) await open(from);

    // Viewers keep joining while the run appends, from whatever the newest id is at that moment.
    for (let round = 0; round < 8; round++) {
      const appending = appendLogs(runId, 100 + round * 25, 25);
      for (let k = 0; k < 5; k++) await open(all.length - 1 - (k % 3));
      all.push(...(await appending));
    }
    all.push(await appendEnding(runId));

    const results = await Promise.all(readers.map((r) => r.reading));
    expect(results).toHaveLength(50);
    results.forEach((got, i) => expectExactly(got, all.slice(readers[i]!.from + 1)));
  });

  it("events the hub reads in one go reach viewers whole, also one whose cursor is inside them, and the newest ends the stream", async () => {
    const runId = await newRun();
    const [first] = await idsInStream(runId);
    const { hub } = await ownHub();
    const app = await getApp();
    const received = [0, 0];
    const readings = [0, 1].map(async (v) =>
      readSse(await viewer(hub, runId, first!), { timeoutMs: 20_000, onMessage: () => received[v]!++ }),
    );
    // Both viewers have the first event, so they are past their catch-up and take live spans.
    const [warmUp] = await appendLogs(runId, 0, 1);
    await vi.waitFor(() => expect(received).toEqual([1, 1]));
    // Issued together, so they travel in one pipeline and the hub reads them in one batch.
    // Joining meanwhile, a third viewer catches up to some point inside that batch.
    const body = (i: number): EventBodyInput => (i === 29 ? ending : { type: "log", level: "info", message: `burst ${i}` });
    const appending = Promise.all(Array.from({ length: 30 }, (_, i) => appendEvent(app.eventLog, runId, body(i))));
    readings.push(viewer(hub, runId, first!).then((res) => readSse(res, { timeoutMs: 20_000 })));
    const ids = [warmUp!, ...(await appending).map((s) => s.id)];
    for (const got of await Promise.all(readings)) expectExactly(got, ids);
  });

  it("a viewer that stops reading leaves live delivery without holding up a fast one, then catches up exactly once", async () => {
    const runId = await newRun();
    const [first] = await idsInStream(runId);
    const { hub } = await ownHub();
    // A small queue, so the stalled viewer falls out of live delivery after a few events.
    const slow = await viewer(hub, runId, first!, 4 * 1024);
    const fastReceived: string[] = [];
    const fast = readSse(await viewer(hub, runId, first!), { timeoutMs: 30_000, onMessage: (m) => fastReceived.push(m.id!) });
    await vi.waitFor(() => expect(hub.viewerCount(runId)).toBe(2));

    const burst = await appendLogs(runId, 0, 200, 200);
    // The fast viewer gets the whole burst while the slow one has read nothing and has left.
    await vi.waitFor(() => expect(fastReceived).toEqual(burst), { timeout: 15_000 });
    await vi.waitFor(() => expect(hub.viewerCount(runId)).toBe(1));

    // The slow one reads again: it catches up from Redis and rejoins live delivery.
    const slowReceived: string[] = [];
    const slowReading = readSse(slow, { timeoutMs: 30_000, onMessage: (m) => slowReceived.push(m.id!) });
    await vi.waitFor(() => expect(slowReceived.length).toBe(burst.length), { timeout: 15_000 });
    await vi.waitFor(() => expect(hub.viewerCount(runId)).toBe(2));

    const later = await appendLogs(runId, 200, 20);
    const end = await appendEnding(runId);
    const expected = [...burst, ...later, end];
    expectExactly(await fast, expected);
    expectExactly(await slowReading, expected);
  });

  it("when the hub's Redis connection is killed and entries it would read are trimmed, every viewer still gets everything once", async () => {
    const runId = await newRun();
    const [first] = await idsInStream(runId);
    const { hub, name } = await ownHub();
    const readings: ReturnType<typeof readSse>[] = [];
    for (let i = 0; i < 5; i++) readings.push(readSse(await viewer(hub, runId, first!), { timeoutMs: 30_000 }));
    await vi.waitFor(() => expect(hub.viewerCount(runId)).toBe(5));
    const app = await getApp();
    const hubConnections = async () =>
      ((await app.redis.call("CLIENT", "LIST", "TYPE", "normal")) as string)
        .split("\n")
        .filter((line) => line.includes(` name=agentdesk:${name} `))
        .map((line) => /(?:^| )id=(\d+)/.exec(line)![1]!);
    const killHub = async () => {
      // The previous kill's reconnect must have happened, or there is nothing to kill.
      const ids = await vi.waitFor(async () => {
        const found = await hubConnections();
        expect(found.length).toBeGreaterThan(0);
        return found;
      });
      for (const id of ids) await app.redis.call("CLIENT", "KILL", "ID", id);
    };

    const expected: string[] = [];
    for (let round = 0; round < 4; round++) {
      expected.push(...(await appendLogs(runId, round * 100, 10)));
      await killHub();
      // While the hub reconnects, entries pass and `events:all` loses them (as the recorder's
      // trimming would): only the viewers' own re-reads can deliver these.
      expected.push(...(await appendLogs(runId, round * 100 + 10, 10)));
      await app.redis.xtrim(app.eventLog.keys.allEvents, "MAXLEN", 0);
    }
    expected.push(await appendEnding(runId));
    for (const got of await Promise.all(readings)) expectExactly(got, expected);
  });
  it("a viewer process stopped with SIGSTOP falls out of live delivery over a real socket, and after SIGCONT gets every event once", async () => {
    const runId = await newRun();
    const [first] = await idsInStream(runId);
    const { hub } = await ownHub();
    const app = await getApp();
    // A real HTTP server and socket between the stream and the viewer process, so backpressure
    // comes from the kernel's buffers filling up, as with a stalled browser.
    const server = http.createServer((req, res) => {
      // As lib/server/directStreams.ts serves it: the feed writes to the response itself.
      const after = new URL(req.url!, "http://x").searchParams.get("after")!;
      res.writeHead(200, { "content-type": "text/event-stream" });
      startRunEventFeed({ db: app.db, log: app.eventLog, hub, runId, afterId: after }, nodeSseConnection(res, VIEWER_QUEUE_BYTES));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/?after=${first}`;
    const curl = spawn("curl", ["-sN", url], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const curlIds: string[] = [];
      let curlText = "";
      curl.stdout.setEncoding("utf8");
      curl.stdout.on("data", (chunk: string) => {
        curlText += chunk;
        let cut: number;
        while ((cut = curlText.indexOf("\n\n")) >= 0) {
          const id = /^id: (.+)$/m.exec(curlText.slice(0, cut))?.[1];
          curlText = curlText.slice(cut + 2);
          if (id) curlIds.push(id);
        }
      });
      const fastIds: string[] = [];
      const fast = readSse(await viewer(hub, runId, first!), { timeoutMs: 60_000, onMessage: (m) => fastIds.push(m.id!) });
      const warmUp = await appendLogs(runId, 0, 3);
      await vi.waitFor(() => expect(curlIds).toEqual(warmUp));

      curl.kill("SIGSTOP");
      // Far more than the socket buffers and the viewer's queue hold (about 20 MB).
      const burst = await appendLogs(runId, 3, 400, 50_000);
      await vi.waitFor(() => expect(fastIds).toEqual([...warmUp, ...burst]), { timeout: 30_000 });
      await vi.waitFor(() => expect(hub.viewerCount(runId)).toBe(1), { timeout: 15_000 });

      curl.kill("SIGCONT");
      await vi.waitFor(() => expect(curlIds.length).toBe(warmUp.length + burst.length), { timeout: 30_000 });
      await vi.waitFor(() => expect(hub.viewerCount(runId)).toBe(2));
      const end = await appendEnding(runId);
      const expected = [...warmUp, ...burst, end];
      expectExactly(await fast, expected);
      await vi.waitFor(() => expect(curlIds).toEqual(expected));
    } finally {
      curl.kill("SIGKILL");
      server.closeAllConnections();
      server.close();
    }
  }, 120_000);
});
