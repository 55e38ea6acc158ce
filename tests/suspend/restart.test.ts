import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import { createRunsQueue, runJobOptions, type JobPayload } from "../../lib/queue";
import { createRedis } from "../../lib/redis";
import { lastEvent, ofType } from "../agent/agentHarness";
import { startJobProcess, type JobProcess } from "../agent/jobProcess";
import { waitForRequest } from "../agent/support/answers";
import { hasEnded, makeRunPayload, waitForEvents } from "../jobs/helpers";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fakeAnthropic";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { WAITING_CALL, WAITING_REQUEST, approveAsTheWeb, askOnceThenFinish, waitUntilSuspended } from "./support";

/**
 * A suspended run outlives its job process: real `jobs/main.ts` processes on separate data
 * folders (separate "machines"), one killed with SIGKILL while the run waits for approval,
 * the answer given while no job process runs at all.
 */
const config = loadConfig();
let redis: Redis;
let log: EventLog;
let queue: Queue<JobPayload>;
let repo: TestRepo;
let fake: FakeAnthropic;
let machines: string;
const children: JobProcess[] = [];

beforeAll(async () => {
  redis = createRedis(config.redisUrl, "worker");
  log = createEventLog(redis, config.redisPrefix);
  queue = createRunsQueue(redis, config.redisPrefix);
  repo = await createTestRepo({ files: { "build/out.txt": "built\n" } });
  fake = await startFakeAnthropic();
  machines = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-suspend-"));
});
afterAll(async () => {
  for (const child of children) if (child.proc.exitCode === null) child.proc.kill("SIGKILL");
  await queue?.close();
  await redis?.quit();
  await fake?.close();
  await repo?.remove();
  await fs.rm(machines, { recursive: true, force: true });
});

async function machine(name: string): Promise<JobProcess> {
  const child = await startJobProcess({
    DATA_DIR: path.join(machines, name),
    ANTHROPIC_API_KEY: "sk-ant-test-key-for-the-fake",
    ANTHROPIC_BASE_URL: fake.url,
    AGENT_MODEL: "claude-haiku-4-5",
    WORKER_CONCURRENCY: "1",
  });
  children.push(child);
  return child;
}

describe("a suspended run across job processes", () => {
  it("resumes and completes on another machine when approved after its job process was killed", async () => {
    fake.setScript(askOnceThenFinish());
    const first = await machine("one");
    const payload = makeRunPayload(repo.url, { executor: "agent", command: null, prompt: "Clean the build", approvalMode: "risky" });
    await queue.add("run", payload, runJobOptions(payload.runId, "normal"));
    await waitForRequest(log, payload.runId, 0, 30_000);
    await waitUntilSuspended(queue, payload.runId);

    first.proc.kill("SIGKILL");
    await first.exited;
    // Answered with no job process anywhere: nothing wakes the run yet, nothing is lost.
    expect(await approveAsTheWeb(log, payload.runId, WAITING_REQUEST)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(await queue.getJobState(payload.runId)).toBe("delayed");

    const second = await machine("two");
    const events = await waitForEvents(log, payload.runId, hasEnded, 60_000);
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review", branch: payload.branch });
    expect(ofType(events, "run.started").map((e) => [e.worker, e.resumed])).toEqual([
      [first.worker, false],
      [second.worker, true],
    ]);
    expect(ofType(events, "input.requested")).toHaveLength(1);
    expect(ofType(events, "input.resolved")).toHaveLength(1);
    expect(ofType(events, "tool.finished").map((e) => [e.callId, e.ok])).toEqual([[WAITING_CALL, true]]);
    expect(ofType(events, "diff.ready")[0]!.files.map((f) => f.path).sort()).toEqual(["build/out.txt", "removed.txt"]);
    expect(fake.requests).toHaveLength(2);
  });
});
