import crypto from "node:crypto";
import { Queue, QueueEvents, Worker } from "bullmq";
import { describe, expect, it } from "vitest";
import { createRunEmitter } from "../../jobs/emit";
import { requestHumanInput, type HumanAnswer } from "../../jobs/humanInput";
import { resolveInput } from "../../lib/inputArbiter";
import { queuePrefix } from "../../lib/queue";
import { createRedis } from "../../lib/redis";
import { eventually } from "../jobs/helpers";
import { jobEventLogForFile } from "./support";

/**
 * A job waiting for a person keeps its BullMQ lock: the processor is still running, so BullMQ
 * renews the lock, and the job is neither marked stalled nor handed to another worker, even
 * when the wait lasts several lock durations.
 */
const LOCK_MS = 1_000;
const jobSide = jobEventLogForFile();

describe("waiting for input inside a BullMQ job", () => {
  it("keeps the job's lock for longer than the lock duration", async () => {
    const name = `inputs-lock-${crypto.randomBytes(4).toString("hex")}`;
    const prefix = queuePrefix(jobSide.config.redisPrefix);
    const runId = `run-${crypto.randomBytes(6).toString("hex")}`;
    const queue = new Queue(name, { connection: jobSide.redis(), prefix });
    const eventsConnection = createRedis(jobSide.config.redisUrl, "blocking");
    const workerConnection = createRedis(jobSide.config.redisUrl, "worker");
    const events = new QueueEvents(name, { connection: eventsConnection, prefix });
    const stalled: string[] = [];
    events.on("stalled", ({ jobId }) => stalled.push(jobId));
    await events.waitUntilReady();

    let deliveries = 0;
    const answers: HumanAnswer[] = [];
    const worker = new Worker(
      name,
      async () => {
        deliveries++;
        const answer = await requestHumanInput(
          { eventLog: jobSide.log(), emit: createRunEmitter(jobSide.log(), runId, []), runId, signal: new AbortController().signal, timeoutSec: 60 },
          { requestId: "toolu_lock", kind: "approval", tool: "shell", input: { command: "git push" } },
        );
        answers.push(answer);
        return "done";
      },
      { connection: workerConnection, prefix, lockDuration: LOCK_MS, stalledInterval: LOCK_MS, maxStalledCount: 0 },
    );
    const workerStalled: string[] = [];
    worker.on("stalled", (jobId) => workerStalled.push(jobId));
    try {
      const job = await queue.add("run", {}, { jobId: runId, attempts: 3 });
      await eventually(async () => ((await jobSide.redis().hget(jobSide.log().keys.inputRequest(runId, "toolu_lock"), "emitted")) === "1" ? true : undefined));
      // Several lock durations and stalled-job checks pass while the job waits for its answer.
      await new Promise((r) => setTimeout(r, LOCK_MS * 4));
      expect(await job.getState()).toBe("active");
      await resolveInput(jobSide.log(), runId, "toolu_lock", { type: "decision", decision: "approve", by: "owner@example.com", at: new Date().toISOString() });

      const finished = await eventually(async () => {
        const state = await queue.getJobState(runId);
        return state === "completed" || state === "failed" ? state : undefined;
      });
      expect(finished).toBe("completed");
      expect(deliveries).toBe(1);
      expect(answers).toEqual([{ decision: "approve", by: "owner@example.com" }]);
      expect(stalled).toEqual([]);
      expect(workerStalled).toEqual([]);
      expect((await queue.getJob(runId))?.attemptsStarted).toBe(1);
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
      eventsConnection.disconnect();
      workerConnection.disconnect();
    }
  });
});
