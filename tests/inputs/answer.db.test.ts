import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listInputs } from "@/app/api/inputs/route";
import { POST as cancel } from "@/app/api/runs/[id]/cancel/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { POST as answer } from "@/app/api/runs/[id]/inputs/[requestId]/route";
import { POST as createRun } from "@/app/api/runs/route";
import { createRunEmitter } from "@/jobs/emit";
import { requestHumanInput, type HumanAnswer, type HumanInputRequest } from "@/jobs/humanInput";
import { inputRequest } from "@/lib/db/schema";
import { createEventLog, readRunEvents, type EventLog } from "@/lib/eventLog";
import { startRecorder, type Recorder } from "@/lib/recorder";
import { createRedis } from "@/lib/redis";
import { call, getApp, otherTeam, registerRepo, signUp, signUpInto, type Session } from "../support/web";

/**
 * The answer path end to end, on PGlite and PostgreSQL: POST /api/runs/:id/inputs/:requestId
 * reaches a job waiting in requestHumanInput (real Redis), is stored for the audit and shows in
 * the feed; everyone but the run's owner is refused; a request is answered once.
 */
describe("answering approval requests and questions", () => {
  let owner: Session;
  let stranger: Session;
  let teammate: Session;
  let viewer: Session;
  let recorder: Recorder;
  let jobRedis: Redis;
  let jobLog: EventLog;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-repo-"));

  beforeAll(async () => {
    owner = await signUp("owner@example.com");
    // A stranger works in another team (with a repository of the same name); a teammate and a
    // viewer in the owner's.
    stranger = (await otherTeam()).owner;
    teammate = await signUpInto(owner, "member");
    viewer = await signUpInto(owner, "viewer");
    expect((await registerRepo(owner, { name: "demo", url: repoDir })).status).toBe(201);
    expect((await registerRepo(stranger, { name: "demo", url: repoDir })).status).toBe(201);
    const app = await getApp();
    recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100 });
    // The job process's side: its own connection, as in jobs/.
    jobRedis = createRedis(app.config.redisUrl, "worker");
    jobLog = createEventLog(jobRedis, app.config.redisPrefix);
  });
  afterAll(async () => {
    await recorder.stop();
    await jobRedis.quit();
  });

  async function newRun(as: Session = owner): Promise<string> {
    const res = await call(createRun, "/api/runs", { as, body: { repo: "demo", command: "make", inputTimeoutSec: 600 } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  /** What the agent loop does: ask, and wait (in the background) for the answer. */
  async function ask(
    runId: string,
    request: HumanInputRequest,
    timeoutSec = 60,
    signal = new AbortController().signal,
  ): Promise<{ answer: Promise<HumanAnswer> }> {
    const ctx = { eventLog: jobLog, emit: createRunEmitter(jobLog, runId, []), runId, signal, timeoutSec };
    const answer = requestHumanInput(ctx, request);
    answer.catch(() => {});
    const deadline = Date.now() + 5_000;
    while (!(await readRunEvents(jobLog, runId, "0")).some((e) => e.event.type === "input.requested")) {
      if (Date.now() > deadline) throw new Error("the request was never emitted");
      await new Promise((r) => setTimeout(r, 10));
    }
    return { answer };
  }

  const approval = (requestId = "toolu_1"): HumanInputRequest => ({
    requestId,
    kind: "approval",
    tool: "shell",
    input: { command: "rm -rf dist && npm publish" },
    reasons: ["deletes files", "publishes a package"],
  });

  const post = (runId: string, requestId: string, body: unknown, as: Session = owner) =>
    call(answer, `/api/runs/${runId}/inputs/${requestId}`, { as, body, params: { id: runId, requestId } });

  /** The run's input requests somebody answered, from their records. */
  const answeredRequests = async (runId: string) => {
    const app = await getApp();
    await recorder.settle();
    return app.db.select().from(inputRequest).where(and(eq(inputRequest.runId, runId), eq(inputRequest.status, "answered")));
  };

  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; issues?: { path: string; message: string }[] } }).error;

  it("lets the owner approve: the waiting job resumes within a second, the decision is stored and reaches the feed", async () => {
    const runId = await newRun();
    const { answer: waiting } = await ask(runId, approval());
    const started = Date.now();
    const res = await post(runId, "toolu_1", { decision: "approve", note: "go ahead", remember: true, editedInput: { command: "rm -rf dist" } });
    expect(res.status).toBe(200);
    const view = await res.json();
    expect(view).toMatchObject({ runId, requestId: "toolu_1", kind: "approval", decision: "approve", note: "go ahead", remember: true, by: "owner@example.com" });
    expect(await waiting).toEqual({ decision: "approve", note: "go ahead", remember: true, editedInput: { command: "rm -rf dist" }, by: "owner@example.com" });
    expect(Date.now() - started).toBeLessThan(1_000);

    const app = await getApp();
    const rows = await app.db.select().from(inputRequest).where(and(eq(inputRequest.runId, runId), eq(inputRequest.requestId, "toolu_1")));
    expect(rows).toEqual([
      expect.objectContaining({
        kind: "approval",
        status: "answered",
        decision: "approve",
        note: "go ahead",
        remember: true,
        byEmail: "owner@example.com",
        byUserId: owner.userId,
        answer: null,
      }),
    ]);
    expect(rows[0]!.resolvedAt).toBeInstanceOf(Date);
    expect(rows[0]!.editedInput).toEqual({ command: "rm -rf dist" });
    const resolved = (await readRunEvents(app.eventLog, runId, "0")).map((e) => e.event).filter((e) => e.type === "input.resolved");
    expect(resolved).toEqual([
      expect.objectContaining({ requestId: "toolu_1", decision: "approve", by: "owner@example.com", note: "go ahead", remember: true, editedInput: { command: "rm -rf dist" } }),
    ]);
  });

  it("answers a question with text, which the job receives", async () => {
    const runId = await newRun();
    const { answer: waiting } = await ask(runId, { requestId: "ask_1", kind: "question", question: "Which database should the tests use?" });
    const res = await post(runId, "ask_1", { answer: "PostgreSQL 16" });
    expect(res.status).toBe(200);
    expect(await waiting).toEqual({ answer: "PostgreSQL 16", by: "owner@example.com" });
  });

  it("answers 404 to another team, 403 to a teammate or viewer who can see but not act, and lets a team admin answer", async () => {
    const runId = await newRun(teammate);
    const { answer: waiting } = await ask(runId, approval());
    const res = await post(runId, "toolu_1", { decision: "approve" }, stranger);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toBe("Run not found");
    // Another member of the team sees the run but may not answer for its owner; nor may a viewer.
    const byMember = await post(runId, "toolu_1", { decision: "approve" }, await signUpInto(owner, "member"));
    expect(byMember.status).toBe(403);
    expect((await errorOf(byMember)).message).toMatch(/team admin/);
    const byViewer = await post(runId, "toolu_1", { decision: "approve" }, viewer);
    expect(byViewer.status).toBe(403);
    expect((await errorOf(byViewer)).message).toMatch(/team admin or above.*you are a viewer/);

    // The team's owner (an admin of it) may: nothing was recorded by the refused attempts.
    const byOwner = await post(runId, "toolu_1", { decision: "deny", note: "not now" }, owner);
    expect(byOwner.status).toBe(200);
    expect(await waiting).toMatchObject({ decision: "deny", note: "not now", by: "owner@example.com" });
  });

  it("answers 409 to a second answer, naming who answered and when", async () => {
    const runId = await newRun();
    const { answer: waiting } = await ask(runId, approval());
    expect((await post(runId, "toolu_1", { decision: "deny" })).status).toBe(200);
    await waiting;
    const again = await post(runId, "toolu_1", { decision: "approve" });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).message).toMatch(/^This request was already answered by owner@example\.com at \d{4}-\d\d-\d\dT/);
    expect(await answeredRequests(runId)).toHaveLength(1);
  });

  it("records exactly one of two answers sent at the same moment", async () => {
    const runId = await newRun();
    const { answer: waiting } = await ask(runId, approval());
    const [a, b] = await Promise.all([post(runId, "toolu_1", { decision: "approve" }), post(runId, "toolu_1", { decision: "deny" })]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = (await (a.status === 200 ? a : b).json()) as { decision: string };
    expect(await waiting).toMatchObject({ decision: winner.decision });
    expect(await answeredRequests(runId)).toHaveLength(1);
  });

  it("answers 409 once the timeout has denied the request, which its record shows as timed out", async () => {
    const runId = await newRun();
    const { answer: waiting } = await ask(runId, approval(), 1);
    expect(await waiting).toMatchObject({ timedOut: true });
    const late = await post(runId, "toolu_1", { decision: "approve" });
    expect(late.status).toBe(409);
    expect((await errorOf(late)).message).toMatch(/already answered by timeout at/);
    await recorder.settle();
    const app = await getApp();
    const [row] = await app.db.select().from(inputRequest).where(eq(inputRequest.runId, runId));
    expect(row).toMatchObject({ requestId: "toolu_1", status: "timed_out", decision: "deny", byEmail: null, byUserId: null });
    // From the record too, once Redis has forgotten the race (its keys expire).
    await app.redis.del(app.eventLog.keys.inputResolved(runId, "toolu_1"));
    const later = await post(runId, "toolu_1", { decision: "approve" });
    expect(later.status).toBe(409);
    expect((await errorOf(later)).message).toMatch(/already answered by timeout at/);
  });

  it("cancels the open request of a cancelled run: gone from the inbox, answering it is a 409", async () => {
    const runId = await newRun();
    const job = new AbortController();
    await ask(runId, approval(), 60, job.signal);
    await recorder.settle();
    const inbox = async () =>
      ((await (await call(listInputs, "/api/inputs", { as: owner })).json()) as { inputs: { runId: string }[] }).inputs.filter((i) => i.runId === runId);
    expect(await inbox()).toHaveLength(1);

    expect((await call(cancel, `/api/runs/${runId}/cancel`, { as: owner, body: {}, params: { id: runId } })).status).toBe(200);
    job.abort();
    await recorder.settle();
    const app = await getApp();
    const [row] = await app.db.select().from(inputRequest).where(eq(inputRequest.runId, runId));
    expect(row).toMatchObject({ status: "cancelled", decision: null });
    expect(await inbox()).toEqual([]);
    const late = await post(runId, "toolu_1", { decision: "approve" });
    expect(late.status).toBe(409);
    expect((await errorOf(late)).message).toMatch(/^This request was cancelled at .*: the run is cancelled$/);
  });

  it("reads waiting_input after a hand-over during an approval wait, until the answer reaches the new job", async () => {
    const runId = await newRun();
    const runState = async () =>
      (await (await call(getRunRoute, `/api/runs/${runId}`, { as: owner, params: { id: runId } })).json()) as {
        status: string;
        pendingInputs: { requestId: string }[];
      };
    // The first job process starts the run and asks; then it dies (its wait ends with it).
    const first = new AbortController();
    await createRunEmitter(jobLog, runId, [])({ type: "run.started", attempt: 1, worker: "first" });
    const { answer: lost } = await ask(runId, approval("toolu_handover"), 600, first.signal);
    first.abort();
    await expect(lost).rejects.toThrow(/stopped waiting/);
    // Another job process takes the run over and waits for the same request (asked once).
    await createRunEmitter(jobLog, runId, [])({ type: "run.started", attempt: 2, worker: "second", resumed: true });
    const { answer: waiting } = await ask(runId, approval("toolu_handover"), 600);
    await recorder.settle();
    expect(await runState()).toMatchObject({ status: "waiting_input", pendingInputs: [{ requestId: "toolu_handover" }] });
    const asked = (await readRunEvents(jobLog, runId, "0")).filter((e) => e.event.type === "input.requested");
    expect(asked).toHaveLength(1);

    expect((await post(runId, "toolu_handover", { decision: "approve" })).status).toBe(200);
    expect(await waiting).toMatchObject({ decision: "approve", by: owner.email });
    await recorder.settle();
    expect(await runState()).toMatchObject({ status: "running", pendingInputs: [] });
  });

  it("answers 404 for a request the run never made", async () => {
    const runId = await newRun();
    const res = await post(runId, "toolu_unknown", { decision: "approve" });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toBe("input request not found");
    const malformed = await post(runId, "not a valid id", { decision: "approve" });
    expect(malformed.status).toBe(404);
  });

  it("answers 400 naming the field for bodies that do not fit the request", async () => {
    const runId = await newRun();
    await ask(runId, approval());
    await ask(runId, { requestId: "ask_1", kind: "question", question: "Why?" });
    const cases: [string, unknown, string][] = [
      ["toolu_1", {}, "decision"],
      ["toolu_1", { decision: "maybe" }, "decision"],
      ["toolu_1", { decision: "approve", note: 42 }, "note"],
      ["toolu_1", { decision: "approve", remember: "yes" }, "remember"],
      ["toolu_1", { decision: "deny", editedInput: { command: "ls" } }, "editedInput"],
      ["toolu_1", { answer: "sure" }, "decision"],
      ["ask_1", { decision: "approve" }, "answer"],
      ["ask_1", { answer: "   " }, "answer"],
      ["ask_1", { answer: "because", note: "x" }, "note"],
    ];
    for (const [requestId, body, field] of cases) {
      const res = await post(runId, requestId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = await errorOf(res);
      expect(error.issues?.map((i) => i.path), JSON.stringify(body)).toContain(field);
    }
    const unknownField = await post(runId, "toolu_1", { decision: "approve", approveAll: true });
    expect(unknownField.status).toBe(400);
    expect((await errorOf(unknownField)).message).toContain("approveAll");
    // None of them was taken as an answer.
    expect(await answeredRequests(runId)).toHaveLength(0);
  });

  it("lists the owner's open requests across runs for the inbox, and only theirs", async () => {
    const first = await newRun();
    const second = await newRun();
    const strangersRun = await newRun(stranger);
    await ask(first, approval("toolu_a"));
    await ask(second, { requestId: "ask_b", kind: "question", question: "Which branch?" });
    await ask(strangersRun, approval("toolu_c"));
    await recorder.settle();

    type Inbox = { inputs: { runId: string; requestId: string; runTitle: string; repo: string; kind: string }[] };
    const mine = async () => ((await (await call(listInputs, "/api/inputs", { as: owner })).json()) as Inbox).inputs;
    const open = (await mine()).filter((i) => [first, second].includes(i.runId));
    expect(open.map((i) => [i.runId, i.requestId])).toEqual([
      [first, "toolu_a"],
      [second, "ask_b"],
    ]);
    expect(open[0]).toMatchObject({ runTitle: "make", repo: "demo", kind: "approval" });
    expect((await mine()).some((i) => i.runId === strangersRun)).toBe(false);
    const theirs = ((await (await call(listInputs, "/api/inputs", { as: stranger })).json()) as Inbox).inputs;
    expect(theirs.filter((i) => i.runId === strangersRun).map((i) => i.requestId)).toEqual(["toolu_c"]);
    expect(theirs.every((i) => i.runId !== first && i.runId !== second)).toBe(true);

    // Answered: gone at once, even before the recorder has written input.resolved.
    expect((await post(first, "toolu_a", { decision: "approve" })).status).toBe(200);
    expect((await mine()).some((i) => i.runId === first)).toBe(false);
  });

  it("takes the run's input timeout in POST /api/runs into the job payload, within bounds", async () => {
    const runId = await newRun();
    const app = await getApp();
    expect((await app.queue.getJob(runId))?.data).toMatchObject({ kind: "run", inputTimeoutSec: 600 });
    const defaulted = await call(createRun, "/api/runs", { as: owner, body: { repo: "demo", command: "make" } });
    const { id } = (await defaulted.json()) as { id: string };
    expect((await app.queue.getJob(id))?.data).toMatchObject({ inputTimeoutSec: 1800 });
    for (const inputTimeoutSec of [5, 8 * 24 * 3600, "soon"]) {
      const res = await call(createRun, "/api/runs", { as: owner, body: { repo: "demo", command: "make", inputTimeoutSec } });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).issues?.map((i) => i.path)).toEqual(["inputTimeoutSec"]);
    }
  });

  it("needs a session or a token", async () => {
    const runId = await newRun();
    const res = await call(answer, `/api/runs/${runId}/inputs/toolu_1`, { body: { decision: "approve" }, params: { id: runId, requestId: "toolu_1" } });
    expect(res.status).toBe(401);
  });
});
