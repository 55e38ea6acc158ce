import crypto from "node:crypto";
import { Queue, Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunSuspended, listSuspendedRuns, suspendRunJob } from "../../jobs/input/suspension";
import { startRunWaker } from "../../jobs/input/waker";
import { silentLogger } from "../../jobs/logger";
import { AttemptFence, jobLockKey, unfencedWrites } from "../../jobs/run/fence";
import { createRunWorker, type RunWorker } from "../../jobs/worker";
import { StaleAttemptError, requestCancel } from "../../lib/eventLog";
import { resolveInput } from "../../lib/inputArbiter";
import { queuePrefix } from "../../lib/queue";
import { createRedis } from "../../lib/redis";
import { lastEvent, ofType, startAgentHarness, type AgentHarness } from "../agent/agentHarness";
import { waitForRequest } from "../agent/support/answers";
import { allEvents, eventually, hasEnded, waitForEvents } from "../jobs/helpers";
import { turn, type RecordedRequest } from "../support/fakeAnthropic";
import { WAITING_CALL, WAITING_REQUEST, answerAsTheWeb, approveAsTheWeb, askOnceThenFinish, waitUntilSuspended } from "./support";

/**
 * A suspended run (waiting for a person without a worker slot) wakes exactly once, on the
 * answer, the timeout or a cancel. Real Redis, BullMQ, git and bubblewrap; the model is the
 * scripted fake.
 */
let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness({ files: { "build/out.txt": "built\n" } });
});
afterAll(async () => {
  await h?.close();
});

const risky = { approvalMode: "risky" } as const;

async function submitAndSuspend(overrides = {}) {
  const payload = await h.submit(askOnceThenFinish(), { ...risky, ...overrides });
  await waitForRequest(h.log, payload.runId);
  await waitUntilSuspended(h.queue, payload.runId);
  return payload;
}

describe("a suspended run", () => {
  it("resumes exactly once when several job processes race to wake it", async () => {
    const payload = await submitAndSuspend();
    const modelRequests = h.fake.requests.length;
    // Two more job processes whose wakers look every few milliseconds.
    const others: RunWorker[] = [];
    for (let i = 0; i < 2; i++) {
      others.push(await createRunWorker({ config: h.config, redis: h.redis, logger: silentLogger, executors: h.worker.executors, wakePollMs: 5 }));
    }
    try {
      expect((await listSuspendedRuns(h.log)).map((s) => s.runId)).toContain(payload.runId);
      expect(await approveAsTheWeb(h.log, payload.runId, WAITING_REQUEST)).toBe(true);
      const events = await waitForEvents(h.log, payload.runId, hasEnded, 30_000);
      expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
      expect(ofType(events, "run.started").map((e) => e.resumed)).toEqual([false, true]);
      expect(ofType(events, "input.resolved")).toEqual([expect.objectContaining({ requestId: WAITING_REQUEST, decision: "approve" })]);
      expect(ofType(events, "tool.started").map((e) => e.callId)).toEqual([WAITING_CALL]);
      // The resumed run asked the model only for what came after the approved call.
      expect(h.fake.requests.length - modelRequests).toBe(1);
      // Nothing left to wake.
      expect((await listSuspendedRuns(h.log)).map((s) => s.runId)).not.toContain(payload.runId);
    } finally {
      for (const w of others) await w.close(5_000);
    }
  });

  it("hands the agent's question's answer to the tool that asked, as if it had waited", async () => {
    const script = (request: RecordedRequest) =>
      request.body.messages.length === 1 ? turn.tool("ask_human", { question: "Which colour?" }, { id: "t_q" }) : turn.text("Painted.");
    const payload = await h.submit(script, { approvalMode: "auto" });
    expect(await waitForRequest(h.log, payload.runId)).toMatchObject({ requestId: "question-t_q", kind: "question" });
    await waitUntilSuspended(h.queue, payload.runId);
    // Suspended mid-tool: the step is open, not failed.
    expect(ofType(await allEvents(h.log, payload.runId), "tool.finished")).toEqual([]);
    const modelRequests = h.fake.requests.length;

    expect(await answerAsTheWeb(h.log, payload.runId, "question-t_q", { answer: "blue" })).toBe(true);
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 30_000);
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    expect(ofType(events, "tool.finished")).toEqual([expect.objectContaining({ callId: "t_q", ok: true, output: "blue" })]);
    expect(h.fake.requests.length - modelRequests).toBe(1);
    const sent = h.fake.requests.at(-1)!.body.messages.at(-1)!.content;
    expect(sent).toEqual([expect.objectContaining({ type: "tool_result", tool_use_id: "t_q", content: "blue" })]);
  });

  it("denies by timeout when nobody answers, holding no worker meanwhile", async () => {
    const payload = await submitAndSuspend({ inputTimeoutSec: 10 });
    // The slot goes as the suspended job's processor returns, just after the job moved.
    await eventually(async () => (h.worker.activeRuns() === 0 ? true : undefined));
    // The job sleeps until the request's deadline, then BullMQ itself puts it back.
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 30_000);
    expect(ofType(events, "input.resolved")).toEqual([expect.objectContaining({ requestId: WAITING_REQUEST, decision: "deny", by: "timeout" })]);
    expect(ofType(events, "tool.finished")).toEqual([
      expect.objectContaining({ callId: WAITING_CALL, ok: false, output: expect.stringContaining("no answer within 10 s") }),
    ]);
    // Nothing ran: the run ends with nothing to review.
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    // Late answers lose against the timeout.
    expect(await approveAsTheWeb(h.log, payload.runId, WAITING_REQUEST)).toBe(false);
  });

  it("is cancelled at once by a cancel, and the waiting call never runs", async () => {
    const payload = await submitAndSuspend();
    await requestCancel(h.log, payload.runId, "owner@example.com");
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 15_000);
    expect(lastEvent(events)).toMatchObject({ type: "run.cancelled", by: "owner@example.com", reason: "cancelled by owner@example.com" });
    expect(ofType(events, "tool.started")).toEqual([]);
    expect(await h.queue.getJobState(payload.runId)).toBe("completed");
    // An answer after the cancel wakes nothing: the run stays over.
    await approveAsTheWeb(h.log, payload.runId, WAITING_REQUEST);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(ofType(await allEvents(h.log, payload.runId), "run.started")).toHaveLength(1);
  });
});

describe("suspending a job", () => {
  it("wakes the job at once when the answer came before it was listed", async () => {
    const name = `suspend-race-${crypto.randomBytes(4).toString("hex")}`;
    const prefix = queuePrefix(h.config.redisPrefix);
    const runId = `run${crypto.randomBytes(6).toString("hex")}`;
    const connection = createRedis(h.config.redisUrl, "worker");
    const queue = new Queue(name, { connection: h.redis, prefix });
    let deliveries = 0;
    const worker = new Worker(
      name,
      async (job, token) => {
        deliveries++;
        if (deliveries > 1) return "resumed";
        // The answer is stored while the job is still active: no waker could have promoted it.
        await resolveInput(h.log, runId, "req-race", { type: "answer", answer: "yes", by: "owner@example.com", at: new Date().toISOString() });
        const writes = unfencedWrites(h.redis);
        return suspendRunJob({ eventLog: h.log, job, token, runId, logger: silentLogger, writes }, new RunSuspended("req-race", Date.now() + 3_600_000));
      },
      { connection, prefix },
    );
    try {
      const job = await queue.add("run", {}, { jobId: runId });
      // Back within moments, not after the hour-long deadline, and with no waker running.
      expect(await eventually(async () => ((await queue.getJobState(job.id!)) === "completed" ? true : undefined), 10_000)).toBe(true);
      expect(deliveries).toBe(2);
    } finally {
      await worker.close();
      await queue.close();
      connection.disconnect();
    }
  });

  it("is refused to a delivery that lost its job lock: a zombie neither lists the run nor moves its job", async () => {
    const name = `suspend-zombie-${crypto.randomBytes(4).toString("hex")}`;
    const prefix = queuePrefix(h.config.redisPrefix);
    const runId = `run${crypto.randomBytes(6).toString("hex")}`;
    const connection = createRedis(h.config.redisUrl, "worker");
    const queue = new Queue(name, { connection: h.redis, prefix });
    const outcome: { error?: unknown; stateAfter?: string } = {};
    const worker = new Worker(
      name,
      async (job) => {
        // The lock is now someone else's: this delivery was paused past it.
        const zombie = new AttemptFence(h.redis, runId, { key: jobLockKey(job), token: "a-token-long-replaced" });
        try {
          await suspendRunJob({ eventLog: h.log, job, token: "a-token-long-replaced", runId, logger: silentLogger, writes: zombie.writes }, new RunSuspended("req-zombie", Date.now() + 60_000));
        } catch (e) {
          outcome.error = e;
        }
        outcome.stateAfter = await job.getState();
        return "done";
      },
      { connection, prefix },
    );
    try {
      await queue.add("run", {}, { jobId: runId });
      await eventually(async () => (outcome.stateAfter ? true : undefined), 10_000);
      expect(outcome.error).toBeInstanceOf(StaleAttemptError);
      expect(outcome.stateAfter).toBe("active");
      expect((await listSuspendedRuns(h.log)).map((s) => s.runId)).not.toContain(runId);
    } finally {
      await worker.close();
      await queue.close();
      connection.disconnect();
    }
  });

  it("forgets entries whose job is gone or that cannot be read, and keeps the ones still asleep", async () => {
    const keys = h.log.keys;
    const gone = `run${crypto.randomBytes(6).toString("hex")}`;
    const garbled = `run${crypto.randomBytes(6).toString("hex")}`;
    await h.redis.hset(keys.suspendedRuns, gone, JSON.stringify({ jobId: gone, requestId: "r1", deadline: Date.now() + 60_000, suspendedAt: new Date().toISOString() }));
    await h.redis.hset(keys.suspendedRuns, garbled, "{not json");
    const asleep = await submitAndSuspend();
    // The gone run's answer is there, so the waker looks for its job and finds none.
    await resolveInput(h.log, gone, "r1", { type: "answer", answer: "ok", by: "owner@example.com", at: new Date().toISOString() });
    const waker = startRunWaker({ eventLog: h.log, queue: h.queue, logger: silentLogger, pollMs: 60_000 });
    try {
      await waker.tick();
      const left = (await listSuspendedRuns(h.log)).map((s) => s.runId);
      expect(left).not.toContain(gone);
      expect(left).not.toContain(garbled);
      expect(left).toContain(asleep.runId);
      expect(await h.queue.getJobState(asleep.runId)).toBe("delayed");
    } finally {
      await waker.close();
      await requestCancel(h.log, asleep.runId, "owner@example.com");
      await waitForEvents(h.log, asleep.runId, hasEnded);
    }
  });
});
