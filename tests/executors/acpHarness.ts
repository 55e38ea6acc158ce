import path from "node:path";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { createAcpExecutor } from "../../jobs/executors/acp";
import { createCliExecutor } from "../../jobs/executors/cli";
import type { ExecutorRegistry } from "../../jobs/executors";
import type { RunWorker } from "../../jobs/worker";
import { loadConfig, type Config } from "../../lib/config";
import type { AcpAgentSpec } from "../../lib/contracts/executorSpecs";
import type { EventLog } from "../../lib/eventLog";
import type { RunEvent } from "../../lib/events";
import type { JobPayload, RunJobPayload } from "../../lib/queue";
import type { Script } from "../support/acpGooseDouble/agent";
import type { FileChanges, TestRepo } from "../support/gitRepo";
import { startWorkerHarness } from "../support/workerHarness";
import { makeRunPayload } from "../jobs/helpers";

/** Goose as an admin registers it, pointing at the double (tests/support/acpGooseDouble/goose). */
export const GOOSE: AcpAgentSpec = {
  name: "goose",
  command: path.resolve(import.meta.dirname, "../support/acpGooseDouble/goose"),
  args: ["acp", "--with-builtin", "developer"],
  envNames: ["GOOSE_DOUBLE_SCRIPT"],
};

/**
 * An in-process job process whose `acp` executor starts real ACP agents in the real sandbox:
 * real Redis (the test file's namespace), git, BullMQ and bwrap. The job process's
 * environment is this process's (so a test sets the variables an agent receives there).
 */
export type AcpHarness = {
  config: Config;
  redis: Redis;
  log: EventLog;
  queue: Queue<JobPayload>;
  readonly worker: RunWorker;
  repo: TestRepo;
  /** Shuts the worker down as SIGTERM would (its runs go back to the queue); `whileDown` runs with none; then a new one starts. */
  restartWorker(whileDown?: () => Promise<void> | void): Promise<void>;
  /** Queues an acp run; the Goose double plays `script` when given. */
  submit(overrides?: Partial<RunJobPayload>, script?: Script): Promise<RunJobPayload>;
  /** Submits and waits for the run's job-ending event; returns all its events. */
  run(overrides?: Partial<RunJobPayload>, script?: Script): Promise<{ payload: RunJobPayload; events: RunEvent[] }>;
  close(): Promise<void>;
};

/** claude-agent-acp as an admin registers it: the bundled binary, its model key through the gateway. */
export const CLAUDE_ACP: AcpAgentSpec = { name: "claude-acp", command: "claude-agent-acp", args: [], envNames: ["ANTHROPIC_API_KEY"] };

export async function startAcpHarness(options: { files?: FileChanges; env?: Record<string, string>; cancelGraceMs?: number } = {}): Promise<AcpHarness> {
  const config = loadConfig({ ...process.env, ...options.env });
  const executors: ExecutorRegistry = new Map([
    ["cli", createCliExecutor()],
    ["acp", createAcpExecutor(config, { textFlushMs: 20, cancelGraceMs: options.cancelGraceMs ?? 3_000 })],
  ]);
  const core = await startWorkerHarness({ config, files: options.files, executors, cancelPollMs: 300, restartCloseMs: 10_000 });

  const submit = async (overrides: Partial<RunJobPayload> = {}, script?: Script) => {
    if (script) process.env.GOOSE_DOUBLE_SCRIPT = JSON.stringify(script);
    return core.queueRun(makeRunPayload(core.repo.url, { executor: "acp", command: null, acpAgent: GOOSE, prompt: "Improve the greeting", ...overrides }));
  };
  return {
    config,
    redis: core.redis,
    log: core.log,
    queue: core.queue,
    get worker() {
      return core.worker;
    },
    repo: core.repo,
    submit,
    restartWorker: core.restartWorker,
    async run(overrides, script) {
      const payload = await submit(overrides, script);
      return { payload, events: await core.waitEnded(payload.runId, 60_000) };
    },
    close: core.close,
  };
}
