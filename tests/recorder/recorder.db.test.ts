import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as getParkedEvents } from "@/app/api/admin/parked-events/route";
import { GET as getRun } from "@/app/api/runs/[id]/route";
import { POST as createRun } from "@/app/api/runs/route";
import { createRunEmitter } from "@/jobs/emit";
import { openDatabase } from "@/lib/db/client";
import { parkedEvent, run, runEvent } from "@/lib/db/schema";
import { appendEvent, readRunEvents } from "@/lib/eventLog";
import { RECORDER_GROUP, startRecorder, type Recorder, type RecorderOptions } from "@/lib/recorder";
import { NUL_REPLACEMENT } from "@/lib/storableText";
import { freePort } from "../start/support";
import { call, getApp, registerRepo, signUp, type Session } from "../support/web";

/**
 * The recorder never stalls (issue 8): text PostgreSQL cannot store is stored escaped, an
 * entry that cannot be stored is parked with its error for admins, and in every case the
 * events after it, of every user's runs, are still recorded. On PGlite and PostgreSQL.
 */
const ESC = NUL_REPLACEMENT;
let admin: Session;
let alice: Session;
let bob: Session;
let recorder: Recorder | undefined;
const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-repo-"));

beforeAll(async () => {
  admin = await signUp(`admin-${crypto.randomUUID()}@example.com`);
  alice = await signUp(`alice-${crypto.randomUUID()}@example.com`);
  bob = await signUp(`bob-${crypto.randomUUID()}@example.com`);
  expect((await registerRepo(admin, { name: "demo", url: repoDir })).status).toBe(201);
});
afterEach(async () => {
  await recorder?.stop();
  recorder = undefined;
});
afterAll(() => fs.rmSync(repoDir, { recursive: true, force: true }));

async function start(options: Partial<RecorderOptions> = {}): Promise<Recorder> {
  const app = await getApp();
  recorder = startRecorder({
    db: app.db,
    redisUrl: app.config.redisUrl,
    namespace: app.config.redisPrefix,
    blockMs: 100,
    maxAttempts: 3,
    log: { error: () => {}, warn: () => {} },
    ...options,
  });
  return recorder;
}

async function newRun(as: Session): Promise<string> {
  const res = await call(createRun, "/api/runs", { as, body: { repo: "demo", command: "make" } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function recordedEvents(runId: string) {
  const app = await getApp();
  return app.db.select().from(runEvent).where(eq(runEvent.runId, runId)).orderBy(asc(runEvent.seq));
}

async function runStatus(runId: string): Promise<string> {
  const app = await getApp();
  const [row] = await app.db.select({ status: run.status }).from(run).where(eq(run.id, runId));
  return row!.status;
}

async function parkedFor(runId: string) {
  const app = await getApp();
  return app.db.select().from(parkedEvent).where(eq(parkedEvent.runId, runId));
}

async function pendingCount(): Promise<number> {
  const app = await getApp();
  const [count] = (await app.redis.xpending(app.eventLog.keys.allEvents, RECORDER_GROUP)) as [number];
  return count;
}

/** A stream id for a hand-written entry of `runId`, after the run's own events. */
async function nextIdOf(runId: string, seq: number): Promise<string> {
  const app = await getApp();
  const [latest] = await app.redis.xrevrange(app.eventLog.keys.runEvents(runId), "+", "-", "COUNT", 1);
  return `${latest![0].split("-")[0]}-${seq}`;
}

describe("text PostgreSQL cannot store", () => {
  it("a real `printf 'a\\0b'` in a run's output is recorded escaped, and another user's later run is still recorded", async () => {
    const app = await getApp();
    const output = execFileSync("sh", ["-c", "printf 'a\\0b'"]).toString();
    expect(output).toBe("a\u0000b");
    const aliceRun = await newRun(alice);
    const bobRun = await newRun(bob);
    // The job process's own append path (jobs/emit.ts), as a cli run would use it.
    const emit = createRunEmitter(app.eventLog, aliceRun, []);
    await emit({ type: "tool.started", callId: "c1", tool: "shell", input: { command: "printf 'a\\0b'", [`k\u0000ey`]: [output] } });
    await emit({ type: "log", level: "info", stream: "stdout", callId: "c1", message: output });
    await emit({ type: "tool.finished", callId: "c1", ok: true, output, durationMs: 3, exitCode: 0 });
    await emit({ type: "run.failed", error: `exit ${output}` });
    await appendEvent(app.eventLog, bobRun, { type: "run.completed", reason: "nothing to do" });

    await start();
    await recorder!.settle();
    const stored = await recordedEvents(aliceRun);
    expect(stored.map((e) => e.type)).toEqual(["run.queued", "tool.started", "log", "tool.finished", "run.failed"]);
    expect(stored[1]!.data).toEqual({ callId: "c1", tool: "shell", input: { command: "printf 'a\\0b'", [`k${ESC}ey`]: [`a${ESC}b`] } });
    expect(stored[2]!.data).toMatchObject({ message: `a${ESC}b` });
    expect(stored[3]!.data).toMatchObject({ output: `a${ESC}b` });
    expect(await runStatus(aliceRun)).toBe("failed");
    expect(await runStatus(bobRun)).toBe("completed");
    // The live feed says the same as the database.
    const live = await readRunEvents(app.eventLog, aliceRun, "0");
    expect(live.find((e) => e.event.type === "tool.finished")!.event).toMatchObject({ output: `a${ESC}b` });
    const api = (await (await call(getRun, `/api/runs/${aliceRun}`, { as: alice, params: { id: aliceRun } })).json()) as { status: string };
    expect(api.status).toBe("failed");
    expect(await pendingCount()).toBe(0);
    expect(await parkedFor(aliceRun)).toEqual([]);
  });

  it("an entry written past the append path with NUL and lone surrogates is escaped by the recorder", async () => {
    const app = await getApp();
    const runId = await newRun(alice);
    const laterRun = await newRun(bob);
    // Straight into the recorder's stream, as an older job process or another tool could.
    const data = JSON.stringify({ type: "assistant.text", text: "x\u0000y\ud800z", at: new Date().toISOString(), [`bad\u0000key`]: 1 });
    await app.redis.xadd(app.eventLog.keys.allEvents, "*", "run", runId, "id", await nextIdOf(runId, 9), "seq", "2", "data", data);
    await appendEvent(app.eventLog, laterRun, { type: "run.completed", reason: "done" });

    await start();
    await recorder!.settle();
    const stored = await recordedEvents(runId);
    expect(stored.map((e) => e.type)).toEqual(["run.queued", "assistant.text"]);
    expect(stored[1]!.data).toEqual({ text: `x${ESC}y\ufffdz` });
    expect(await runStatus(laterRun)).toBe("completed");
    expect(await pendingCount()).toBe(0);
  });
});

describe("entries that cannot be stored are parked, and the recorder moves on", () => {
  it("parks an entry the database refuses after a few tries, then records the next run's events", async () => {
    const app = await getApp();
    const runId = await newRun(alice);
    const laterRun = await newRun(bob);
    // A sequence number beyond PostgreSQL's integer: valid JSON and a valid event, refused by the database.
    const data = JSON.stringify({ type: "log", level: "info", message: "hello", at: new Date().toISOString() });
    const entryId = await app.redis.xadd(app.eventLog.keys.allEvents, "*", "run", runId, "id", await nextIdOf(runId, 7), "seq", "99999999999", "data", data);
    // A second one right after: its retries start quick again, it does not inherit a long backoff.
    const secondId = await app.redis.xadd(app.eventLog.keys.allEvents, "*", "run", runId, "id", await nextIdOf(runId, 8), "seq", "99999999998", "data", data);
    await appendEvent(app.eventLog, laterRun, { type: "run.completed", reason: "done" });

    const errors: string[] = [];
    const started = Date.now();
    await start({ log: { error: (...a: unknown[]) => errors.push(a.join(" ")), warn: () => {} } });
    await recorder!.settle(20_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await runStatus(laterRun)).toBe("completed");
    const parked = await parkedFor(runId);
    expect(parked.map((p) => p.streamId).sort()).toEqual([entryId, secondId].sort());
    expect(parked.find((p) => p.streamId === entryId)).toEqual(
      expect.objectContaining({ runId, type: "log", attempts: 3, error: expect.stringMatching(/out of range for type integer \(22003\)/) }),
    );
    expect(JSON.parse(parked.find((p) => p.streamId === entryId)!.raw)).toMatchObject({ run: runId, seq: "99999999999", data });
    expect(await pendingCount()).toBe(0);
    expect(errors.filter((e) => e.includes("try 1 of 3") || e.includes("try 2 of 3"))).toHaveLength(4);
    const delays = errors.flatMap((e) => /retrying in (\d+) ms/.exec(e)?.[1] ?? []).map(Number);
    expect(Math.max(...delays)).toBeLessThanOrEqual(500);
    expect(errors.some((e) => e.includes(`parked entry ${entryId}`))).toBe(true);
    expect((await recordedEvents(runId)).map((e) => e.type)).toEqual(["run.queued"]);
  });

  it("parks a malformed entry at once (never drops it silently)", async () => {
    const app = await getApp();
    const runId = await newRun(alice);
    const laterRun = await newRun(bob);
    const keys = app.eventLog.keys;
    const bogus = await app.redis.xadd(keys.allEvents, "*", "run", runId, "id", "1-1", "seq", "5", "data", JSON.stringify({ type: "run.exploded", at: "now" }));
    const notJson = await app.redis.xadd(keys.allEvents, "*", "run", runId, "id", "1-2", "seq", "6", "data", "{not json\u0000");
    const noId = await app.redis.xadd(keys.allEvents, "*", "run", runId, "seq", "7", "data", JSON.stringify({ type: "log", level: "info", message: "m", at: "x" }));
    await appendEvent(app.eventLog, laterRun, { type: "run.completed", reason: "done" });

    await start();
    await recorder!.settle();
    expect(await runStatus(laterRun)).toBe("completed");
    const parked = Object.fromEntries((await parkedFor(runId)).map((p) => [p.streamId, p]));
    expect(parked[bogus!]).toMatchObject({ type: "run.exploded", attempts: 1, error: expect.stringMatching(/^not a valid event: type: /) });
    expect(parked[notJson!]).toMatchObject({ type: null, attempts: 1, error: expect.stringMatching(/^data is not JSON/) });
    expect(parked[notJson!]!.raw).toContain("\\u0000");
    expect(parked[noId!]).toMatchObject({ type: "log", error: "entry has no id field" });
    expect(await pendingCount()).toBe(0);
  });

  it("does not park anything while the database is out of reach; writes it all once it is back", async () => {
    const app = await getApp();
    const runId = await newRun(alice);
    const consumer = `outage-${crypto.randomUUID()}`;
    // A database that is not there at all: every write fails to connect.
    const gone = openDatabase({ kind: "postgres", url: `postgres://nobody@127.0.0.1:${await freePort()}/nothing` });
    await start({ db: gone.db, consumer, maxAttempts: 2 });
    await appendEvent(app.eventLog, runId, { type: "run.completed", reason: "done" });
    await new Promise((r) => setTimeout(r, 2_500));
    // Delivered but not written: the run's `run.queued` and `run.completed`, far past maxAttempts.
    expect(await pendingCount()).toBe(2);
    await recorder!.stop();
    await gone.close();
    expect(await parkedFor(runId)).toEqual([]);

    await start({ consumer });
    await recorder!.settle();
    expect(await runStatus(runId)).toBe("completed");
    expect(await parkedFor(runId)).toEqual([]);
  });
});

describe("admins see parked entries", () => {
  it("GET /api/admin/parked-events lists them for an admin, 403 for anyone else", async () => {
    const app = await getApp();
    const runId = await newRun(alice);
    const entryId = await app.redis.xadd(app.eventLog.keys.allEvents, "*", "run", runId, "id", "1-3", "seq", "1", "data", JSON.stringify({ type: "nope", at: "x" }));
    await start();
    await recorder!.settle();

    const res = await call(getParkedEvents, "/api/admin/parked-events?limit=500", { as: admin });
    expect(res.status).toBe(200);
    const { parkedEvents } = (await res.json()) as {
      parkedEvents: { streamId: string; runId: string; type: string; error: string; attempts: number; parkedAt: string }[];
    };
    expect(parkedEvents.find((p) => p.streamId === entryId)).toMatchObject({ runId, type: "nope", attempts: 1, error: expect.stringContaining("not a valid event") });
    expect(new Date(parkedEvents[0]!.parkedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const forbidden = await call(getParkedEvents, "/api/admin/parked-events", { as: alice });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ error: { code: "forbidden", message: expect.any(String) } });
    expect((await call(getParkedEvents, "/api/admin/parked-events")).status).toBe(401);
    const bad = await call(getParkedEvents, "/api/admin/parked-events?limit=0", { as: admin });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { issues: { path: string }[] } }).error.issues[0]!.path).toBe("limit");
  });
});
