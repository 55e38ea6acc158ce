import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Worker, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRepoPath } from "../../jobs/git/runRepo";
import { loadConfig } from "../../lib/config";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import { RUNS_QUEUE, createRunsQueue, queuePrefix, runJobOptions, type JobPayload } from "../../lib/queue";
import { createRedis } from "../../lib/redis";
import { startFakeAnthropic, turn, type FakeAnthropic } from "../support/fakeAnthropic";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";
import { hasEnded, makeRunPayload, waitForEvents } from "../jobs/helpers";
import { ofType, lastEvent } from "./agentHarness";
import { startJobProcess, type JobProcess } from "./jobProcess";

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
  repo = await createTestRepo({ files: { "notes.txt": "zero\n" } });
  fake = await startFakeAnthropic();
  machines = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-machines-"));
});
afterAll(async () => {
  for (const child of children) if (child.proc.exitCode === null) child.proc.kill("SIGKILL");
  await queue?.close();
  await redis?.quit();
  await fake?.close();
  await repo?.remove();
  await fs.rm(machines, { recursive: true, force: true });
});

/** A job process on its own "machine": its own data folder, so no mirror is shared. */
async function machine(name: string): Promise<JobProcess> {
  const child = await startJobProcess({
    DATA_DIR: path.join(machines, name),
    ANTHROPIC_API_KEY: "sk-ant-test-key-for-the-fake",
    ANTHROPIC_BASE_URL: fake.url,
    AGENT_MODEL: "claude-haiku-4-5",
  });
  children.push(child);
  return child;
}

/**
 * What BullMQ does for a killed worker's job once its lock expires (30 s later by default):
 * the stalled-job check puts it back in the queue. Done here at once, with the real check.
 */
async function recoverStalledJob(runId: string): Promise<void> {
  const keyPrefix = `${queuePrefix(config.redisPrefix)}:${RUNS_QUEUE}`;
  await redis.del(`${keyPrefix}:${runId}:lock`);
  const checker = new Worker(RUNS_QUEUE, null, {
    connection: redis.duplicate(),
    prefix: queuePrefix(config.redisPrefix),
    autorun: false,
    stalledInterval: 100,
  });
  try {
    await checker.startStalledCheckTimer();
    const deadline = Date.now() + 5_000;
    while (!["waiting", "prioritized"].includes(await queue.getJobState(runId))) {
      if (Date.now() > deadline) throw new Error(`job ${runId} was not recovered: ${await queue.getJobState(runId)}`);
      // The killed worker's last check throttles everyone's for stalledInterval (30 s): lift it.
      await redis.del(`${keyPrefix}:stalled-check`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await checker.close();
  }
}

describe("crash resume across job processes", () => {
  it("continues a killed run on another machine from its last checkpoint, ending with one commit", async () => {
    fake.setScript([
      turn.tool("edit_file", { path: "notes.txt", old_string: "zero", new_string: "one" }, { id: "toolu_1" }),
      turn.tool("shell", { command: "echo two > two.txt" }, { id: "toolu_2" }),
      // The third request hangs mid-answer: the job process dies while the model "thinks".
      { ...turn.text("Now let me finish"), hangAfterEvents: 3 },
    ]);
    const first = await machine("one");
    const payload = makeRunPayload(repo.url, { executor: "agent", command: null, prompt: "Count in notes.txt" });
    await queue.add("run", payload, runJobOptions(payload.runId, "normal"));
    await fake.hung();
    const checkpoint = JSON.parse((await redis.get(log.keys.runCheckpoint(payload.runId)))!) as { turn: number };
    expect(checkpoint.turn).toBe(2);
    const conversationAtCheckpoint = fake.requests[2]!.body.messages;

    first.proc.kill("SIGKILL");
    await first.exited;
    await recoverStalledJob(payload.runId);

    fake.setScript([
      turn.tool("write_file", { path: "three.txt", content: "three\n" }, { id: "toolu_3" }),
      turn.text("Counted to three."),
    ]);
    const second = await machine("two");
    const events = await waitForEvents(log, payload.runId, hasEnded, 60_000);

    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review", branch: payload.branch });
    const starts = ofType(events, "run.started");
    expect(starts.map((s) => [s.worker, s.resumed])).toEqual([
      [first.worker, false],
      [second.worker, true],
    ]);
    expect(ofType(events, "log").map((e) => e.message)).toContain(
      `resumed from checkpoint after turn 2 (saved by worker ${first.worker})`,
    );
    // The second machine sent the model the conversation as it stood at the checkpoint.
    const resumedRequest = fake.requests[3]!.body;
    expect(resumedRequest.messages).toEqual(conversationAtCheckpoint);
    expect(resumedRequest.messages).toHaveLength(5);
    // Steps before the checkpoint were not run again.
    expect(ofType(events, "tool.started").map((e) => e.callId)).toEqual(["toolu_1", "toolu_2", "toolu_3"]);
    // Usage continues from the checkpoint's totals.
    expect(ofType(events, "usage").map((u) => u.turn)).toEqual([1, 2, 3, 4]);

    // One commit with all the work, in the run's repository on the second machine (restored from the bundle).
    const diff = ofType(events, "diff.ready")[0]!;
    expect(diff.files.map((f) => f.path).sort()).toEqual(["notes.txt", "three.txt", "two.txt"]);
    const mirror = runRepoPath(path.join(machines, "two"), payload.runId);
    expect(await git(mirror, "log", "--format=%s", `${diff.baseSha}..${payload.branch}`)).toBe("Count in notes.txt");
    expect(await git(mirror, "show", `${payload.branch}:notes.txt`)).toBe("one");
    expect(await git(mirror, "show", `${payload.branch}:two.txt`)).toBe("two");
    expect(await redis.exists(log.keys.runCheckpoint(payload.runId))).toBe(0);

    second.proc.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
