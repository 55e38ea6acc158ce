import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as runDiff } from "@/app/api/runs/[id]/diff/route";
import { GET as runEvents } from "@/app/api/runs/[id]/events/route";
import { GET as getRun } from "@/app/api/runs/[id]/route";
import { POST as createRun } from "@/app/api/runs/route";
import { run, runDiff as runDiffTable, runEvent } from "@/lib/db/schema";
import { appendEvent } from "@/lib/eventLog";
import type { EventBodyInput } from "@/lib/events";
import { RECORDER_GROUP, startRecorder, type Recorder } from "@/lib/recorder";
import { createRedis } from "@/lib/redis";
import { call, getApp, readSse, registerRepo, signUp, type Session } from "../support/web";

/**
 * The event log end to end: what a job process appends reaches the database through the
 * recorder and browsers through SSE, and a reconnect resumes exactly after its last event.
 */
describe("event log, recorder and SSE", () => {
  let owner: Session;
  let recorder: Recorder;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-repo-"));

  beforeAll(async () => {
    owner = await signUp("owner@example.com");
    expect((await registerRepo(owner, { name: "demo", url: repoDir })).status).toBe(201);
    const app = await getApp();
    recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100 });
  });
  afterAll(() => recorder.stop());

  async function newRun(): Promise<string> {
    const res = await call(createRun, "/api/runs", { as: owner, body: { repo: "demo", command: "make" } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  async function append(runId: string, ...bodies: EventBodyInput[]) {
    const app = await getApp();
    const ids: string[] = [];
    for (const body of bodies) ids.push((await appendEvent(app.eventLog, runId, body)).id);
    return ids;
  }

  const events = (runId: string, opts: { after?: string; lastEventId?: string; signal?: AbortSignal } = {}) =>
    call(runEvents, `/api/runs/${runId}/events${opts.after ? `?after=${opts.after}` : ""}`, {
      as: owner,
      params: { id: runId },
      headers: opts.lastEventId ? { "last-event-id": opts.lastEventId } : {},
      signal: opts.signal,
    });

  const aWholeRun: EventBodyInput[] = [
    { type: "run.started", attempt: 1, worker: "test:1" },
    { type: "workspace.ready", branch: "agentdesk/make-1", baseBranch: "main", baseSha: "a".repeat(40), durationMs: 12 },
    { type: "tool.started", callId: "c1", tool: "shell", input: { command: "make" } },
    { type: "log", level: "info", stream: "stdout", callId: "c1", message: "building\n" },
    { type: "tool.finished", callId: "c1", ok: true, output: "building\n", durationMs: 40, exitCode: 0 },
    { type: "usage", inputTokens: 10, outputTokens: 5, cacheReadTokens: 2, costUsd: 0.01 },
    {
      type: "diff.ready",
      baseSha: "a".repeat(40),
      headSha: "b".repeat(40),
      files: [{ path: "out.txt", status: "added", additions: 1, deletions: 0, binary: false }],
      additions: 1,
      deletions: 0,
      patch: "diff --git a/out.txt b/out.txt\n+built\n",
      truncated: false,
    },
    { type: "run.awaiting_review", branch: "agentdesk/make-1", headSha: "b".repeat(40) },
  ];

  it("streams every event with the stream id as the SSE id and ends after the run's last event", async () => {
    const runId = await newRun();
    const ids = await append(runId, ...aWholeRun);
    const res = await events(runId);
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const { messages, ended } = await readSse(res);
    expect(ended).toBe(true);
    expect(messages.map((m) => m.event)).toEqual(["run.queued", ...aWholeRun.map((e) => e.type)]);
    expect(messages.slice(1).map((m) => m.id)).toEqual(ids);
    const seqs = messages.map((m) => (m.data as { seq: number }).seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    // The feed does not carry the patch; the diff endpoint does.
    expect(messages.find((m) => m.event === "diff.ready")!.data).not.toHaveProperty("patch");
  });

  it("resumes after Last-Event-ID or ?after= with exactly the later events", async () => {
    const runId = await newRun();
    const ids = await append(runId, ...aWholeRun);
    for (const resumeAt of [2, 4, 6]) {
      const viaHeader = await readSse(await events(runId, { lastEventId: ids[resumeAt] }));
      expect(viaHeader.messages.map((m) => m.id)).toEqual(ids.slice(resumeAt + 1));
      const viaQuery = await readSse(await events(runId, { after: ids[resumeAt] }));
      expect(viaQuery.messages.map((m) => m.id)).toEqual(ids.slice(resumeAt + 1));
    }
  });

  it("tails live: events appended after the client connected arrive, then the stream ends", async () => {
    const runId = await newRun();
    const [first] = await append(runId, aWholeRun[0]!);
    const controller = new AbortController();
    const res = await events(runId, { after: first, signal: controller.signal });
    const reading = readSse(res, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 150));
    const later = await append(runId, ...aWholeRun.slice(1));
    const { messages, ended } = await reading;
    expect(ended).toBe(true);
    expect(messages.map((m) => m.id)).toEqual(later);
  });

  it("replays from the database when Redis no longer holds the requested events", async () => {
    const runId = await newRun();
    const ids = await append(runId, ...aWholeRun.slice(0, 5));
    await recorder.settle();
    const app = await getApp();
    // Trim the run's stream to its last two entries, as MAXLEN would for a long run.
    await app.redis.xtrim(app.eventLog.keys.runEvents(runId), "MAXLEN", 2);
    const more = await append(runId, ...aWholeRun.slice(5));
    const resumed = await readSse(await events(runId, { lastEventId: ids[0] }));
    expect(resumed.messages.map((m) => m.id)).toEqual([...ids.slice(1), ...more]);
    // And with the stream gone entirely (expired), everything still comes back, in order.
    await recorder.settle();
    await app.redis.del(app.eventLog.keys.runEvents(runId));
    const all = await readSse(await events(runId));
    expect(all.messages.map((m) => m.event)).toEqual(["run.queued", ...aWholeRun.map((e) => e.type)]);
    expect(all.messages.slice(1).map((m) => m.id)).toEqual([...ids, ...more]);
  });

  it("projects events onto the run: status, branch, usage, diff and the event rows", async () => {
    const runId = await newRun();
    const app = await getApp();
    await append(runId, ...aWholeRun.slice(0, 2));
    await recorder.settle();
    let [row] = await app.db.select().from(run).where(eq(run.id, runId));
    expect(row).toMatchObject({ status: "running", baseSha: "a".repeat(40), attempt: 1 });
    expect(row!.startedAt).toBeInstanceOf(Date);

    await append(runId, ...aWholeRun.slice(2));
    await recorder.settle();
    [row] = await app.db.select().from(run).where(eq(run.id, runId));
    expect(row).toMatchObject({ status: "awaiting_review", headSha: "b".repeat(40), inputTokens: 10, outputTokens: 5, cacheReadTokens: 2, costUsd: 0.01 });
    const recorded = await app.db.select().from(runEvent).where(eq(runEvent.runId, runId)).orderBy(asc(runEvent.seq));
    expect(recorded.map((r) => r.type)).toEqual(["run.queued", ...aWholeRun.map((e) => e.type)]);
    const [diff] = await app.db.select().from(runDiffTable).where(eq(runDiffTable.runId, runId));
    expect(diff!.patch).toContain("+built");

    const api = (await (await call(getRun, `/api/runs/${runId}`, { as: owner, params: { id: runId } })).json()) as Record<string, unknown>;
    expect(api).toMatchObject({ status: "awaiting_review", inputTokens: 10, outputTokens: 5, cacheReadTokens: 2, costUsd: 0.01, pendingInputs: [] });
    const diffRes = await call(runDiff, `/api/runs/${runId}/diff`, { as: owner, params: { id: runId } });
    expect(diffRes.status).toBe(200);
    expect(await diffRes.json()).toMatchObject({ files: [{ path: "out.txt", additions: 1 }], additions: 1, deletions: 0 });
    const patch = await call(runDiff, `/api/runs/${runId}/diff?format=patch`, { as: owner, params: { id: runId } });
    expect(patch.headers.get("content-type")).toMatch(/text\/x-diff/);
    expect(await patch.text()).toBe("diff --git a/out.txt b/out.txt\n+built\n");
  });

  it("lists unanswered input requests on the run record, which waits while one is open", async () => {
    const runId = await newRun();
    await append(
      runId,
      { type: "run.started", attempt: 1, worker: "w" },
      { type: "input.requested", requestId: "r1", kind: "approval", tool: "shell", input: { command: "rm -rf build" }, reasons: ["deletes files"] },
      { type: "input.requested", requestId: "r2", kind: "question", question: "Which port?" },
      { type: "input.resolved", requestId: "r1", decision: "approve", by: "owner@example.com" },
    );
    await recorder.settle();
    const api = (await (await call(getRun, `/api/runs/${runId}`, { as: owner, params: { id: runId } })).json()) as {
      status: string;
      pendingInputs: { requestId: string; kind: string; question?: string }[];
    };
    expect(api.pendingInputs).toEqual([expect.objectContaining({ requestId: "r2", kind: "question", question: "Which port?" })]);
    // r1 is answered, r2 is not: the run still waits for a person.
    expect(api.status).toBe("waiting_input");
  });

  it("writes each event once even when delivered twice, and takes over a crashed consumer's entries", async () => {
    const runId = await newRun();
    const app = await getApp();
    await recorder.stop();
    // A recorder that read entries and died before acknowledging them.
    await append(runId, ...aWholeRun.slice(0, 3));
    const dead = createRedis(app.config.redisUrl, "blocking", "dead-recorder");
    await dead.xreadgroup("GROUP", RECORDER_GROUP, "dead-consumer", "COUNT", 100, "STREAMS", app.eventLog.keys.allEvents, ">");
    dead.disconnect();
    // Deliver one event a second time, as a retried XADD or a replayed entry would.
    const [dupId] = await app.redis.xrange(app.eventLog.keys.allEvents, "-", "+", "COUNT", 1);
    await app.redis.xadd(app.eventLog.keys.allEvents, "*", ...dupId![1]);

    recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100, claimIdleMs: 200 });
    await new Promise((r) => setTimeout(r, 300));
    await recorder.settle();
    const recorded = await app.db.select().from(runEvent).where(eq(runEvent.runId, runId)).orderBy(asc(runEvent.seq));
    expect(recorded.map((r) => r.type)).toEqual(["run.queued", "run.started", "workspace.ready", "tool.started"]);
    const pending = (await app.redis.xpending(app.eventLog.keys.allEvents, RECORDER_GROUP)) as [number];
    expect(pending[0]).toBe(0);
  });
});
