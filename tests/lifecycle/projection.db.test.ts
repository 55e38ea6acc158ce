import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as reviewRoute } from "@/app/api/runs/[id]/review/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { POST as createRun } from "@/app/api/runs/route";
import { inputRequest, reviewDecision, run, runEvent } from "@/lib/db/schema";
import { appendEvent } from "@/lib/eventLog";
import type { EventBodyInput } from "@/lib/events";
import { projectEvent } from "@/lib/projection";
import { call, getApp, registerRepo, signUp, type Session } from "../support/web";

/**
 * The projection as the one writer of `run.status` and of input request records, on PGlite and
 * PostgreSQL: events appended to the real event log (real stream ids) and projected, in order
 * and out of order; illegal moves recorded but refused; a run that waits for a person reads
 * waiting_input whatever event came last.
 */
describe("the projection of events onto runs and input requests", () => {
  let owner: Session;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-repo-"));
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});

  beforeAll(async () => {
    owner = await signUp("lifecycle@example.com");
    expect((await registerRepo(owner, { name: "lifecycle", url: repoDir })).status).toBe(201);
  });
  afterAll(() => warn.mockRestore());

  async function newRun(body: Record<string, unknown> = { command: "make" }): Promise<string> {
    const res = await call(createRun, "/api/runs", { as: owner, body: { repo: "lifecycle", inputTimeoutSec: 600, ...body } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  /** Appends an event as a job or the web would, and returns it with its stream id, unprojected. */
  async function append(runId: string, body: EventBodyInput, at?: Date) {
    const app = await getApp();
    return appendEvent(app.eventLog, runId, body, at);
  }
  async function emit(runId: string, body: EventBodyInput, at?: Date) {
    const stored = await append(runId, body, at);
    const app = await getApp();
    expect(await projectEvent(app.db, stored.id, stored.event)).toBe(true);
    return stored;
  }
  async function statusOf(runId: string) {
    const app = await getApp();
    const [row] = await app.db.select({ status: run.status }).from(run).where(eq(run.id, runId));
    return row!.status;
  }
  async function requestOf(runId: string, requestId: string) {
    const app = await getApp();
    const [row] = await app.db
      .select()
      .from(inputRequest)
      .where(and(eq(inputRequest.runId, runId), eq(inputRequest.requestId, requestId)));
    return row;
  }
  const started = (attempt: number): EventBodyInput => ({ type: "run.started", attempt, worker: "w1", resumed: attempt > 1 });
  const approval = (requestId: string): EventBodyInput => ({
    type: "input.requested",
    requestId,
    kind: "approval",
    tool: "shell",
    input: { command: "rm -rf dist" },
    reasons: ["deletes files"],
  });

  it("records an illegal move but leaves the status, and says so in the log", async () => {
    const runId = await newRun();
    await emit(runId, { type: "run.cancelled", by: owner.email, reason: "cancelled before it started" });
    expect(await statusOf(runId)).toBe("cancelled");
    warn.mockClear();
    const late = await emit(runId, started(1));
    await emit(runId, { type: "run.completed", reason: "no changes" });
    await emit(runId, { type: "run.awaiting_review", branch: "agentdesk/x", headSha: "a".repeat(40) });
    expect(await statusOf(runId)).toBe("cancelled");
    const app = await getApp();
    const types = (await app.db.select({ type: runEvent.type }).from(runEvent).where(eq(runEvent.runId, runId))).map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(["run.started", "run.completed", "run.awaiting_review"]));
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual(
      expect.arrayContaining([expect.stringContaining(`run.started (${late.id}) would move it from cancelled to running`)]),
    );
    // A refused event changes nothing else on the run either (no attempt, no head commit).
    const [row] = await app.db.select().from(run).where(eq(run.id, runId));
    expect(row).toMatchObject({ attempt: 0, headSha: null, status: "cancelled" });
  });

  it("keeps a run taken over during an approval wait waiting_input until the answer, and the API lists the request", async () => {
    const runId = await newRun();
    await emit(runId, started(1));
    const asked = await emit(runId, approval("toolu_h"));
    expect(await statusOf(runId)).toBe("waiting_input");
    // The first job process died; another takes the run up: it starts, and waits for the same request.
    await emit(runId, started(2));
    expect(await statusOf(runId)).toBe("waiting_input");
    const res = await call(getRunRoute, `/api/runs/${runId}`, { as: owner, params: { id: runId } });
    const body = (await res.json()) as { status: string; attempt: number; pendingInputs: { requestId: string; at: string; deadline: string }[] };
    expect(body).toMatchObject({ status: "waiting_input", attempt: 2, pendingInputs: [{ requestId: "toolu_h", kind: "approval", tool: "shell" }] });
    expect(Date.parse(body.pendingInputs[0]!.deadline) - Date.parse(asked.event.at)).toBe(600_000);

    await emit(runId, { type: "input.resolved", requestId: "toolu_h", decision: "approve", by: owner.email });
    expect(await statusOf(runId)).toBe("running");
    expect(await requestOf(runId, "toolu_h")).toMatchObject({ status: "answered", decision: "approve", byEmail: owner.email, byUserId: owner.userId });
  });

  it("waits while any request is open", async () => {
    const runId = await newRun();
    await emit(runId, started(1));
    await emit(runId, approval("toolu_1"));
    await emit(runId, { type: "input.requested", requestId: "ask_1", kind: "question", question: "Which port?" });
    await emit(runId, { type: "input.resolved", requestId: "ask_1", answer: "4173", by: owner.email });
    expect(await statusOf(runId)).toBe("waiting_input");
    await emit(runId, { type: "input.resolved", requestId: "toolu_1", decision: "deny", by: "timeout" });
    expect(await statusOf(runId)).toBe("running");
    expect(await requestOf(runId, "ask_1")).toMatchObject({ kind: "question", status: "answered", answer: "4173", question: "Which port?" });
    expect(await requestOf(runId, "toolu_1")).toMatchObject({ status: "timed_out", decision: "deny", byEmail: null, byUserId: null });
  });

  it("cancels open requests when the run stops waiting, and records a late request as cancelled", async () => {
    const runId = await newRun();
    await emit(runId, started(1));
    await emit(runId, approval("toolu_c"));
    const cancelled = await emit(runId, { type: "run.cancelled", by: owner.email, reason: "cancelled" });
    expect(await statusOf(runId)).toBe("cancelled");
    const row = await requestOf(runId, "toolu_c");
    expect(row).toMatchObject({ status: "cancelled" });
    expect(row!.resolvedAt!.toISOString()).toBe(cancelled.event.at);
    // A stopped attempt that asks afterwards reaches no one: recorded, closed at once.
    await emit(runId, approval("toolu_late"));
    expect(await requestOf(runId, "toolu_late")).toMatchObject({ status: "cancelled" });
    expect(await statusOf(runId)).toBe("cancelled");
    // Nor does an answer reopen or change it.
    await emit(runId, { type: "input.resolved", requestId: "toolu_c", decision: "approve", by: owner.email });
    expect(await requestOf(runId, "toolu_c")).toMatchObject({ status: "cancelled", decision: null });
  });

  it("closes open requests when the run goes to review", async () => {
    const runId = await newRun();
    await emit(runId, started(1));
    await emit(runId, approval("toolu_r"));
    await emit(runId, { type: "run.awaiting_review", branch: "agentdesk/r", headSha: "b".repeat(40) });
    expect(await statusOf(runId)).toBe("awaiting_review");
    expect(await requestOf(runId, "toolu_r")).toMatchObject({ status: "cancelled" });
  });

  it("keeps the answer when it is recorded before its request (web and recorder racing)", async () => {
    const runId = await newRun();
    await emit(runId, started(1));
    const requested = await append(runId, approval("toolu_o"));
    const resolved = await append(runId, { type: "input.resolved", requestId: "toolu_o", decision: "approve", note: "ok", by: owner.email });
    const app = await getApp();
    await projectEvent(app.db, resolved.id, resolved.event);
    await projectEvent(app.db, requested.id, requested.event);
    const row = await requestOf(runId, "toolu_o");
    expect(row).toMatchObject({ status: "answered", decision: "approve", note: "ok", kind: "approval", tool: "shell", reasons: ["deletes files"] });
    expect(row!.requestedAt.toISOString()).toBe(requested.event.at);
    expect(await statusOf(runId)).toBe("running");
  });

  it("keeps the first resolution of a request", async () => {
    const runId = await newRun();
    await emit(runId, started(1));
    await emit(runId, approval("toolu_f"));
    await emit(runId, { type: "input.resolved", requestId: "toolu_f", decision: "deny", by: "timeout" });
    await emit(runId, { type: "input.resolved", requestId: "toolu_f", decision: "approve", by: owner.email });
    expect(await requestOf(runId, "toolu_f")).toMatchObject({ status: "timed_out", decision: "deny" });
  });

  it("moves nothing on a review decision that was not recorded", async () => {
    const runId = await newRun();
    await emit(runId, started(1));
    await emit(runId, { type: "run.awaiting_review", branch: "agentdesk/d", headSha: "c".repeat(40) });
    await emit(runId, { type: "review.decided", decisionId: crypto.randomUUID(), action: "discard", by: owner.email });
    expect(await statusOf(runId)).toBe("awaiting_review");
  });

  it("projects each event once, whoever projects it first", async () => {
    const runId = await newRun();
    const stored = await append(runId, started(1));
    const app = await getApp();
    const both = await Promise.all([projectEvent(app.db, stored.id, stored.event), projectEvent(app.db, stored.id, stored.event)]);
    expect(both.sort()).toEqual([false, true]);
    expect(await statusOf(runId)).toBe("running");
  });

  describe("review decisions", () => {
    async function awaitingReview(body?: Record<string, unknown>): Promise<string> {
      const runId = await newRun(body);
      await emit(runId, started(1));
      await emit(runId, { type: "run.awaiting_review", branch: "agentdesk/review", headSha: "d".repeat(40) });
      return runId;
    }
    const decide = (runId: string, body: unknown) => call(reviewRoute, `/api/runs/${runId}/review`, { as: owner, body, params: { id: runId } });
    async function decisionsOf(runId: string) {
      const app = await getApp();
      return app.db.select().from(reviewDecision).where(eq(reviewDecision.runId, runId));
    }
    async function eventTypes(runId: string) {
      const app = await getApp();
      return (await app.db.select({ type: runEvent.type }).from(runEvent).where(eq(runEvent.runId, runId))).map((r) => r.type);
    }

    for (const [action, status, body] of [
      ["push", "pushing", {}],
      ["discard", "discarded", {}],
      ["request_changes", "queued", { feedback: "Greet the world" }],
    ] as const) {
      it(`${action}: appends review.decided, which moves the run to ${status} before the answer`, async () => {
        const runId = await awaitingReview();
        if (action === "request_changes") {
          // An agent run (no job process advertises the agent here): only the executor differs.
          const app = await getApp();
          await app.db.update(run).set({ executor: "agent", prompt: "Write a greeting" }).where(eq(run.id, runId));
        }
        const res = await decide(runId, { action, ...body });
        expect(res.status).toBe(201);
        expect(await res.json()).toMatchObject({ repeated: false, status, decision: { action } });
        expect(await statusOf(runId)).toBe(status);
        expect(await eventTypes(runId)).toContain("review.decided");
        expect(await decisionsOf(runId)).toHaveLength(1);
        // Asking again is the same decision; anything else is refused.
        const again = await decide(runId, { action, ...body });
        expect(again.status).toBe(200);
        expect(await again.json()).toMatchObject({ repeated: true, status });
        const other = action === "discard" ? { action: "push" } : { action: "discard" };
        expect((await decide(runId, other)).status).toBe(409);
        expect(await decisionsOf(runId)).toHaveLength(1);
      });
    }

    it("takes one of two different decisions sent at once", async () => {
      const runId = await awaitingReview();
      const answers = await Promise.all([decide(runId, { action: "push" }), decide(runId, { action: "discard" })]);
      expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
      const [decision] = await decisionsOf(runId);
      expect(await decisionsOf(runId)).toHaveLength(1);
      expect(await statusOf(runId)).toBe(decision!.action === "push" ? "pushing" : "discarded");
    });

    it("leaves a run that is not awaiting review where it is", async () => {
      const runId = await newRun();
      await emit(runId, started(1));
      const res = await decide(runId, { action: "discard" });
      expect(res.status).toBe(409);
      expect(await statusOf(runId)).toBe("running");
      expect(await decisionsOf(runId)).toHaveLength(0);
    });
  });
});
