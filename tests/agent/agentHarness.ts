import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { createAgentExecutor } from "../../jobs/executors/agent";
import { createCliExecutor } from "../../jobs/executors/cli";
import type { ExecutorRegistry } from "../../jobs/executors";
import type { Executor } from "../../jobs/executors/types";
import type { RunWorker } from "../../jobs/worker";
import { loadConfig, type Config } from "../../lib/config";
import type { EventLog } from "../../lib/eventLog";
import type { RunEvent, RunEventOf } from "../../lib/events";
import type { ExecutorName, JobPayload, RunJobPayload } from "../../lib/queue";
import { startFakeAnthropic, type FakeAnthropic, type FakeScript } from "../support/fakeAnthropic";
import type { FileChanges, TestRepo } from "../support/gitRepo";
import { startWorkerHarness } from "../support/workerHarness";
import { makeRunPayload } from "../jobs/helpers";

export const TEST_API_KEY = "sk-ant-test-key-for-the-fake";

/**
 * An in-process job process whose `agent` executor talks to a fake Messages API through the
 * real SDK: real Redis (the test file's namespace), real git, the real BullMQ worker.
 * Retries wait milliseconds instead of seconds unless a test asks for the real policy.
 */
export type AgentHarness = {
  config: Config;
  fake: FakeAnthropic;
  redis: Redis;
  log: EventLog;
  queue: Queue<JobPayload>;
  /** The job process's worker now running (a new one after `restartWorker`). */
  readonly worker: RunWorker;
  repo: TestRepo;
  /**
   * Shuts the worker down as SIGTERM would (its runs go back to the queue); `whileDown` runs
   * with no worker at all; then a new worker takes the runs up again.
   */
  restartWorker(whileDown?: () => Promise<void>): Promise<void>;
  /** Sets the fake's script and queues an agent run; resolves with its payload. */
  submit(script: FakeScript, overrides?: Partial<RunJobPayload>): Promise<RunJobPayload>;
  /** Submits and waits for the run's job-ending event; returns all its events. */
  run(script: FakeScript, overrides?: Partial<RunJobPayload>): Promise<{ payload: RunJobPayload; events: RunEvent[] }>;
  close(): Promise<void>;
};

export async function startAgentHarness(options: {
  files?: FileChanges;
  env?: Record<string, string>;
  retryBaseMs?: number;
  /** The executor runs are submitted to (default `agent`), and more executors for the job process. */
  executor?: ExecutorName;
  moreExecutors?: (config: Config) => Executor[];
} = {}): Promise<AgentHarness> {
  const fake = await startFakeAnthropic();
  const config = loadConfig({
    ...process.env,
    ANTHROPIC_API_KEY: TEST_API_KEY,
    ANTHROPIC_BASE_URL: fake.url,
    AGENT_MODEL: "claude-haiku-4-5",
    ...options.env,
  });
  const executors: ExecutorRegistry = new Map([
    ["cli", createCliExecutor()],
    [
      "agent",
      createAgentExecutor(config, {
        retry: { baseMs: options.retryBaseMs ?? 20, maxMs: 60_000, maxAttempts: 6 },
        textFlushMs: 50,
      }),
    ],
    ...(options.moreExecutors?.(config) ?? []).map((e): [ExecutorName, Executor] => [e.name, e]),
  ]);
  const core = await startWorkerHarness({ config, files: options.files, executors, cancelPollMs: 500, restartCloseMs: 5_000 });

  const submit = async (script: FakeScript, overrides: Partial<RunJobPayload> = {}) => {
    fake.setScript(script);
    return core.queueRun(makeRunPayload(core.repo.url, { executor: options.executor ?? "agent", command: null, prompt: "Improve the greeting", ...overrides }));
  };
  return {
    config,
    fake,
    redis: core.redis,
    log: core.log,
    queue: core.queue,
    get worker() {
      return core.worker;
    },
    repo: core.repo,
    submit,
    restartWorker: core.restartWorker,
    async run(script, overrides) {
      const payload = await submit(script, overrides);
      return { payload, events: await core.waitEnded(payload.runId, 30_000) };
    },
    async close() {
      await core.close();
      await fake.close();
    },
  };
}

export function ofType<T extends RunEvent["type"]>(events: RunEvent[], type: T): RunEventOf<T>[] {
  return events.filter((e) => e.type === type) as RunEventOf<T>[];
}

export function lastEvent(events: RunEvent[]): RunEvent {
  return events[events.length - 1]!;
}
