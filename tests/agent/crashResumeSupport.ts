import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Worker, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { loadConfig } from "../../lib/config";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import { RUNS_QUEUE, createRunsQueue, queuePrefix, type JobPayload } from "../../lib/queue";
import { createRedis } from "../../lib/redis";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fakeAnthropic";
import { attemptsDir } from "../../jobs/git/attempt";
import { createTestRepo, type FileChanges, type TestRepo } from "../support/gitRepo";
import type { RunEvent } from "../../lib/events";
import { eventually, hasEnded, waitForEvents } from "../jobs/helpers";
import { ofType, TEST_API_KEY, type AgentHarness } from "./agentHarness";
import { startJobProcess, type JobProcess } from "./jobProcess";

export type CrashResumeSetup = {
  redisPrefix: string;
  redis: Redis;
  log: EventLog;
  queue: Queue<JobPayload>;
  repo: TestRepo;
  fake: FakeAnthropic;
  /** The folder holding each machine's data folder. */
  machines: string;
  /**
   * Starts a job process on its own "machine": its own data folder, so no mirror or run
   * repository is shared with another one; its agent talks to the fake model.
   */
  machine(name: string): Promise<JobProcess>;
};

/**
 * What a test of job processes dying needs, made before the file's tests and removed after
 * them (job processes still running are killed): Redis, the runs queue, a repository with
 * `files`, the fake model, and machines.
 */
export function crashResumeSetup(files: FileChanges): CrashResumeSetup {
  const config = loadConfig();
  const children: JobProcess[] = [];
  const setup = { redisPrefix: config.redisPrefix } as CrashResumeSetup;
  beforeAll(async () => {
    setup.redis = createRedis(config.redisUrl, "worker");
    setup.log = createEventLog(setup.redis, config.redisPrefix);
    setup.queue = createRunsQueue(setup.redis, config.redisPrefix);
    setup.repo = await createTestRepo({ files });
    setup.fake = await startFakeAnthropic();
    setup.machines = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-machines-"));
    setup.machine = async (name) => {
      const child = await startJobProcess({
        DATA_DIR: path.join(setup.machines, name),
        ANTHROPIC_API_KEY: TEST_API_KEY,
        ANTHROPIC_BASE_URL: setup.fake.url,
        AGENT_MODEL: "claude-haiku-4-5",
      });
      children.push(child);
      return child;
    };
  });
  afterAll(async () => {
    for (const child of children) if (child.proc.exitCode === null) child.proc.kill("SIGKILL");
    await setup.queue?.close();
    await setup.redis?.quit();
    await setup.fake?.close();
    await setup.repo?.remove();
    if (setup.machines) await fs.rm(setup.machines, { recursive: true, force: true });
  });
  return setup;
}

/**
 * What BullMQ does for a killed worker's job once its lock expires (30 s later by default):
 * the stalled-job check puts it back in the queue. Done here at once, with the real check.
 */
export async function recoverStalledJob({ redis, redisPrefix, queue }: CrashResumeSetup, runId: string): Promise<void> {
  const keyPrefix = `${queuePrefix(redisPrefix)}:${RUNS_QUEUE}`;
  await redis.del(`${keyPrefix}:${runId}:lock`);
  const checker = new Worker(RUNS_QUEUE, null, {
    connection: redis.duplicate(),
    prefix: queuePrefix(redisPrefix),
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

/** The command lines of this machine's processes that contain `text` (ps, every user). */
export async function processesWith(text: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)("ps", ["-eo", "pid=,args="]);
  return stdout
    .split("\n")
    .filter((line) => line.includes(text))
    .map((line) => line.trim());
}

/** The path of `file` in the workspace of the run's attempt in `dataDir`, once it exists. */
export async function fileInAttempt(dataDir: string, runId: string, file: string): Promise<string> {
  const attempts = attemptsDir(dataDir, runId);
  return eventually(async () => {
    for (const attempt of await fs.readdir(attempts).catch(() => [])) {
      const candidate = path.join(attempts, attempt, "workspace", file);
      if (await fs.stat(candidate).then(() => true, () => false)) return candidate;
    }
    return undefined;
  });
}

/** A shell call in a scripted model answer. */
export const shellCall = (id: string, command: string) => ({ type: "tool_use" as const, name: "shell", input: { command }, id });

/**
 * Once the run's attempt holds `marker` (its call is under way), stops the harness's worker as
 * SIGTERM does (the run goes back to the queue) and starts a new one; resolves with the run's
 * events once it has ended.
 */
export async function restartWorkerDuringCall(h: AgentHarness, runId: string, marker: string): Promise<RunEvent[]> {
  await fileInAttempt(h.config.dataDir, runId, marker);
  await h.restartWorker(async () => {
    await waitForEvents(h.log, runId, (events) => ofType(events, "log").some((e) => e.message.includes("worker shutting down")));
  });
  return waitForEvents(h.log, runId, hasEnded, 60_000);
}
