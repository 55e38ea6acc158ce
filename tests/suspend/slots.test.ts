import type { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestCancel } from "../../lib/eventLog";
import type { RunStatus } from "../../lib/contracts/runLifecycle";
import type { RunEvent } from "../../lib/events";
import { createReviewsQueue, reviewJobIds, reviewJobOptions, runJobOptions, type ReviewJobPayload } from "../../lib/queue";
import { runEffect } from "../../lib/runChanges";
import { lastEvent, ofType, startAgentHarness, type AgentHarness } from "../agent/agentHarness";
import { waitForRequest } from "../agent/support/answers";
import { eventually, hasEnded, hasType, makeRunPayload, waitForEvents } from "../jobs/helpers";
import { pushPayloadFor } from "../review/helpers";
import { WAITING_REQUEST, approveAsTheWeb, askOnceThenFinish, waitUntilSuspended } from "./support";

/**
 * The slot test of issue 9: a job process with WORKER_CONCURRENCY=2 and five runs waiting for
 * approval still starts a new run, and carries out a push while both run slots are busy.
 * Real Redis, BullMQ, git (a bare remote), bubblewrap; the model is the scripted fake.
 */
let h: AgentHarness;
let reviews: Queue<ReviewJobPayload>;
beforeAll(async () => {
  h = await startAgentHarness({ files: { "build/out.txt": "built\n" }, env: { WORKER_CONCURRENCY: "2" } });
  reviews = createReviewsQueue(h.redis, h.config.redisPrefix);
});
afterAll(async () => {
  await reviews?.close();
  await h?.close();
});

const statusOf = (events: RunEvent[]) => events.reduce<RunStatus>((status, e) => runEffect(status, e).changes.status ?? status, "queued");

describe("waiting for a person holds no worker slot", () => {
  it("with two slots and five runs waiting for approval, a new run starts and a push completes while both slots are busy", async () => {
    expect(h.worker.worker.opts.concurrency).toBe(2);
    h.fake.setScript(askOnceThenFinish());
    const waiting = [];
    for (let i = 0; i < 5; i++) waiting.push(await h.submit(askOnceThenFinish(), { approvalMode: "risky" }));
    for (const run of waiting) {
      expect((await waitForRequest(h.log, run.runId, 0, 60_000)).requestId).toBe(WAITING_REQUEST);
      await waitUntilSuspended(h.queue, run.runId, 30_000);
    }
    // All five are asking a person and none holds a slot.
    await eventually(async () => (h.worker.activeRuns() === 0 ? true : undefined));
    for (const run of waiting) {
      const events = await waitForEvents(h.log, run.runId, hasType("input.requested"));
      expect(statusOf(events)).toBe("waiting_input");
    }

    // A new run starts and finishes at once.
    const fresh = makeRunPayload(h.repo.url, { command: "echo fresh > fresh.txt" });
    await h.queue.add("run", fresh, runJobOptions(fresh.runId, "normal"));
    const freshEvents = await waitForEvents(h.log, fresh.runId, hasEnded, 20_000);
    expect(lastEvent(freshEvents)).toMatchObject({ type: "run.awaiting_review" });
    const headSha = ofType(freshEvents, "run.awaiting_review")[0]!.headSha;

    // Both run slots taken by runs that really work (not waiting for anyone)...
    const sleepers = [0, 1].map(() => makeRunPayload(h.repo.url, { command: "sleep 60" }));
    for (const s of sleepers) await h.queue.add("run", s, runJobOptions(s.runId, "normal"));
    for (const s of sleepers) await waitForEvents(h.log, s.runId, hasType("workspace.ready"));
    expect(h.worker.activeRuns()).toBe(2);

    // ...and the reviewer's push still goes out, on its own queue.
    const push = pushPayloadFor(fresh, headSha);
    await reviews.add("push", push, reviewJobOptions(reviewJobIds.push(push.decisionId)));
    const pushed = await waitForEvents(h.log, fresh.runId, hasType("push.finished"), 20_000);
    expect(ofType(pushed, "push.finished")[0]).toMatchObject({ ok: true, branch: fresh.branch, commit: headSha });
    expect(await h.repo.remoteSha(fresh.branch)).toBe(headSha);
    // The sleepers were never pushed aside for it.
    expect(h.worker.activeRuns()).toBe(2);

    // Free the slots, then answer all five: each resumes once and finishes.
    for (const s of sleepers) await requestCancel(h.log, s.runId, "owner@example.com");
    for (const s of sleepers) expect(lastEvent(await waitForEvents(h.log, s.runId, hasEnded))).toMatchObject({ type: "run.cancelled" });
    for (const run of waiting) expect(await approveAsTheWeb(h.log, run.runId, WAITING_REQUEST)).toBe(true);
    for (const run of waiting) {
      const events = await waitForEvents(h.log, run.runId, hasEnded, 60_000);
      expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
      expect(ofType(events, "run.started").map((e) => e.resumed)).toEqual([false, true]);
      expect(ofType(events, "input.requested")).toHaveLength(1);
      expect(ofType(events, "input.resolved")).toHaveLength(1);
      expect(ofType(events, "tool.finished").map((e) => [e.callId, e.ok])).toEqual([["t_wait", true]]);
      expect(ofType(events, "diff.ready")[0]!.files.map((f) => f.path).sort()).toEqual(["build/out.txt", "removed.txt"]);
    }
  });
});

describe("the reviews queue", () => {
  it("still carries out a push queued on the runs queue by an older deploy", async () => {
    const run = makeRunPayload(h.repo.url, { command: "echo old > old.txt" });
    await h.queue.add("run", run, runJobOptions(run.runId, "normal"));
    const reviewed = await waitForEvents(h.log, run.runId, hasEnded, 20_000);
    const headSha = ofType(reviewed, "run.awaiting_review")[0]!.headSha;
    const push = pushPayloadFor(run, headSha);
    await h.queue.add("push", push, reviewJobOptions(reviewJobIds.push(push.decisionId)));
    const events = await waitForEvents(h.log, run.runId, hasType("push.finished"), 20_000);
    expect(ofType(events, "push.finished")[0]).toMatchObject({ ok: true, commit: headSha });
    expect(await h.repo.remoteSha(run.branch)).toBe(headSha);
  });

  it("fails a job that is not a push or a discard for good, saying why", async () => {
    const run = makeRunPayload(h.repo.url);
    // A run payload put on the reviews queue by mistake: not retried, and the run says why.
    const job = await reviews.add("push", run as unknown as ReviewJobPayload, { attempts: 3 });
    const failed = await eventually(async () => ((await job.getState()) === "failed" ? await reviews.getJob(job.id!) : undefined));
    expect(failed!.failedReason).toMatch(/invalid job payload: kind/);
    expect(failed!.attemptsMade).toBe(1);
    const events = await waitForEvents(h.log, run.runId, hasEnded);
    expect(lastEvent(events)).toMatchObject({ type: "run.failed", error: expect.stringContaining("invalid job payload") });
  });
});
