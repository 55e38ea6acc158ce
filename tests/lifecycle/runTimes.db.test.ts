import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as reviewRoute } from "@/app/api/runs/[id]/review/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { POST as createRun } from "@/app/api/runs/route";
import { applyRunEvent } from "@/components/runs/applyRunEvent";
import type { RunRecord } from "@/components/runs/runTypes";
import { run, runEvent } from "@/lib/db/schema";
import { appendEvent } from "@/lib/eventLog";
import type { EventBodyInput, RunEvent } from "@/lib/events";
import { projectEvent } from "@/lib/projection";
import { runWorkedMs } from "@/lib/runTimes";
import { call, getApp, registerRepo, signUp, type Session } from "../support/web";

/**
 * A run's times over its rounds of work, written by the projection of real events (the review
 * decision through the real review route) on PGlite and PostgreSQL: the first start stays, the
 * end is cleared while the run works again and never lies before the start, the duration adds
 * the rounds up; the run page applying the same events live reads the same times.
 */
describe("a run's times over rounds of work", () => {
  let owner: Session;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-repo-"));
  const base = Date.now() - 3_600_000;
  const at = (minutes: number) => new Date(base + minutes * 60_000);
  const started = (attempt: number): EventBodyInput => ({ type: "run.started", attempt, worker: "w1", resumed: attempt > 1 });
  const toReview: EventBodyInput = { type: "run.awaiting_review", branch: "agentdesk/times", headSha: "e".repeat(40) };

  beforeAll(async () => {
    owner = await signUp("times@example.com");
    expect((await registerRepo(owner, { name: "times", url: repoDir })).status).toBe(201);
  });

  async function newAgentRun(): Promise<string> {
    const res = await call(createRun, "/api/runs", { as: owner, body: { repo: "times", command: "make" } });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    // Request changes takes an agent (no job process advertises one here): only the executor differs.
    const app = await getApp();
    await app.db.update(run).set({ executor: "agent", prompt: "Write a greeting" }).where(eq(run.id, id));
    return id;
  }
  async function emit(runId: string, body: EventBodyInput, when: Date) {
    const app = await getApp();
    const stored = await appendEvent(app.eventLog, runId, body, when);
    expect(await projectEvent(app.db, stored.id, stored.event)).toBe(true);
  }
  async function view(runId: string): Promise<RunRecord> {
    const res = await call(getRunRoute, `/api/runs/${runId}`, { as: owner, params: { id: runId } });
    expect(res.status).toBe(200);
    return (await res.json()) as RunRecord;
  }
  /** The run as the run page has it after applying every recorded event, in order, to its first view. */
  async function appliedInBrowser(runId: string, first: RunRecord): Promise<RunRecord> {
    const app = await getApp();
    const rows = await app.db.select().from(runEvent).where(eq(runEvent.runId, runId)).orderBy(runEvent.streamMs, runEvent.streamSeq);
    return rows.reduce(
      (r, row) => applyRunEvent(r, { ...(row.data as object), type: row.type, runId, seq: row.seq, at: row.at.toISOString() } as RunEvent),
      first,
    );
  }
  const times = (r: RunRecord) => ({
    status: r.status,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    roundStartedAt: r.roundStartedAt,
    earlierRoundsMs: r.earlierRoundsMs,
    round: r.round,
  });

  it("keeps the first start, clears the end while working again, and adds both rounds up", async () => {
    const runId = await newAgentRun();
    const created = await view(runId);
    expect(created).toMatchObject({ startedAt: null, finishedAt: null, round: 1, earlierRoundsMs: 0 });
    expect(runWorkedMs(created, Date.now())).toBeNull();

    await emit(runId, started(1), at(0));
    await emit(runId, toReview, at(10));
    const firstRound = await view(runId);
    expect(firstRound).toMatchObject({ status: "awaiting_review", startedAt: at(0).toISOString(), finishedAt: at(10).toISOString(), round: 1 });
    expect(runWorkedMs(firstRound, Date.now())).toBe(10 * 60_000);

    const decided = await call(reviewRoute, `/api/runs/${runId}/review`, {
      as: owner,
      body: { action: "request_changes", feedback: "Say hello too" },
      params: { id: runId },
    });
    expect(decided.status).toBe(201);
    const queuedAgain = await view(runId);
    // Back in the queue: not finished, the first round's ten minutes counted, the clock stopped.
    expect(queuedAgain).toMatchObject({ status: "queued", startedAt: at(0).toISOString(), finishedAt: null, roundStartedAt: null, round: 2 });
    expect(queuedAgain.earlierRoundsMs).toBe(10 * 60_000);
    expect(runWorkedMs(queuedAgain, Date.now() + 3_600_000)).toBe(10 * 60_000);

    await emit(runId, started(2), at(70));
    const working = await view(runId);
    expect(working).toMatchObject({ status: "running", startedAt: at(0).toISOString(), finishedAt: null, roundStartedAt: at(70).toISOString() });
    // While it works the duration runs on from the second round's start, over both rounds.
    expect(runWorkedMs(working, at(75).getTime())).toBe(15 * 60_000);

    await emit(runId, toReview, at(74));
    const done = await view(runId);
    expect(done).toMatchObject({ status: "awaiting_review", startedAt: at(0).toISOString(), finishedAt: at(74).toISOString(), round: 2 });
    expect(Date.parse(done.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(done.startedAt!));
    expect(runWorkedMs(done, Date.now())).toBe(14 * 60_000);

    expect(times(await appliedInBrowser(runId, created))).toEqual(times(done));
  });

  it("continues the same round when another attempt takes the run over", async () => {
    const runId = await newAgentRun();
    const created = await view(runId);
    await emit(runId, started(1), at(0));
    await emit(runId, started(2), at(5));
    const working = await view(runId);
    expect(working).toMatchObject({ startedAt: at(0).toISOString(), roundStartedAt: at(0).toISOString(), finishedAt: null, round: 1 });
    await emit(runId, { type: "run.completed", reason: "no changes" }, at(8));
    const done = await view(runId);
    expect(done).toMatchObject({ status: "completed", finishedAt: at(8).toISOString() });
    expect(runWorkedMs(done, Date.now())).toBe(8 * 60_000);
    expect(times(await appliedInBrowser(runId, created))).toEqual(times(done));
  });

  it("never records an end before the start when the machines' clocks disagree", async () => {
    const runId = await newAgentRun();
    await emit(runId, started(1), at(10));
    await emit(runId, { type: "run.failed", error: "boom" }, at(9));
    const failed = await view(runId);
    expect(failed).toMatchObject({ status: "failed", startedAt: at(10).toISOString(), finishedAt: at(10).toISOString() });
    expect(runWorkedMs(failed, Date.now())).toBe(0);
  });

  it("keeps the end of the work when a push fails after the review", async () => {
    const runId = await newAgentRun();
    await emit(runId, started(1), at(0));
    await emit(runId, toReview, at(3));
    await emit(runId, { type: "push.started", remote: "origin", branch: "agentdesk/times" }, at(30));
    await emit(runId, { type: "run.failed", error: "remote refused" }, at(31));
    const failed = await view(runId);
    expect(failed).toMatchObject({ status: "failed", finishedAt: at(3).toISOString() });
    expect(runWorkedMs(failed, Date.now())).toBe(3 * 60_000);
  });
});
