import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { createCheckpointSaver, type CheckpointSaver, type CheckpointStats } from "../jobs/agent/checkpoint";
import { runAgentLoop } from "../jobs/agent/loop";
import { priceFor } from "../jobs/agent/pricing";
import { DEFAULT_RETRY_POLICY } from "../jobs/agent/retry";
import { createRunEmitter } from "../jobs/emit";
import { requestHumanInput } from "../jobs/humanInput";
import { runGit } from "../jobs/git/exec";
import { loadConfig } from "../lib/config";
import { createEventLog, type EventLog } from "../lib/eventLog";
import { DEFAULT_INPUT_TIMEOUT_SEC } from "../lib/inputTimeout";
import type { RunJobPayload } from "../lib/queue";
import { createRedis } from "../lib/redis";
import { startFakeAnthropic, type FakeTurn } from "../tests/support/fakeAnthropic";
import { ms, percentile, type BenchResult } from "./stats";

/**
 * Platform overhead per agent turn: with an instant fake model, the time from one model
 * request to the next, minus the tool's own run time. What remains is ours: the SDK's
 * request and stream parsing, events to Redis, the tool step's bookkeeping, usage, and the
 * checkpoints (each completion is saved; read-only and file calls in the background, a file
 * call's save committing what it wrote). Two kinds of turn: one that reads (list_directory)
 * and one that writes a file (write_file). The checkpoint calls' own share in the loop is
 * timed separately, and the background saver's work is counted (saves merged, commits,
 * bundles), so coalescing is visible. The baseline is the same request made with the raw SDK
 * alone, measured first in the same run.
 */
const TURNS = 200;

const listTurn: FakeTurn = { content: [{ type: "tool_use", name: "list_directory", input: {} }] };
const writeTurn = (index: number): FakeTurn => ({
  content: [{ type: "tool_use", name: "write_file", input: { path: "src/counter.ts", content: `export const turn = ${index};\n` } }],
});
const endTurn: FakeTurn = { content: [{ type: "text", text: "done" }] };

type Scenario = { tool: string; turn: (index: number) => FakeTurn };
const scenarios: Scenario[] = [
  { tool: "list_directory", turn: () => listTurn },
  { tool: "write_file", turn: writeTurn },
];

export async function benchAgentTurn(): Promise<BenchResult> {
  const config = loadConfig();
  const redis = createRedis(config.redisUrl, "worker");
  const lines: string[] = [];
  try {
    // Before and after the scenarios, pooled: a loaded machine's load drifts during the run.
    const baseline = await rawSdkTurns();
    const measured: { tool: string; overhead: number[]; toolMs: number[]; checkpointMs: number[]; saver: CheckpointStats; flushMs: number }[] = [];
    for (const scenario of scenarios) {
      const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-bench-agent-"));
      const log = createEventLog(redis, `bench-agent-${process.pid}-${scenario.tool}:`);
      const arrivals: number[] = [];
      const fake = await startFakeAnthropic((request, index) => {
        arrivals.push(performance.now());
        return index < TURNS ? scenario.turn(index) : endTurn;
      });
      try {
        const workspace = await sampleRepo(tmp);
        const { toolMs, checkpointMs, saver, flushMs } = await runLoop(fake.url, workspace, log);
        const overhead = arrivals.slice(1, TURNS + 1).map((t, i) => t - arrivals[i]! - toolMs[i]!);
        measured.push({ tool: scenario.tool, overhead, toolMs, checkpointMs, saver, flushMs });
      } finally {
        await fake.close();
        await redis.del(log.keys.runCheckpoint("bench"), log.keys.runBundle("bench"), log.keys.runEvents("bench"), log.keys.runSeq("bench"), log.keys.allEvents);
        await fs.rm(tmp, { recursive: true, force: true });
      }
    }
    baseline.push(...(await rawSdkTurns()));
    const raw = { p50: percentile(baseline, 50), p99: percentile(baseline, 99) };
    lines.push(`baseline, raw SDK stream call (before and after the scenarios): p50 ${ms(raw.p50)}, p99 ${ms(raw.p99)}`);
    for (const { tool, overhead, toolMs, checkpointMs, saver, flushMs } of measured) {
      const [p50, p99] = [percentile(overhead, 50), percentile(overhead, 99)];
      lines.push(
        `${tool} turns, AgentDesk loop per turn: p50 ${ms(p50)}, p99 ${ms(p99)} (tool p50 ${ms(percentile(toolMs, 50))} excluded); ` +
          `beyond the raw SDK call: p50 ${ms(p50 - raw.p50)}, p99 ${ms(p99 - raw.p99)} (goal: p50 < 10 ms, p99 < 30 ms)`,
        `  of which checkpoint calls in the loop (durable saves and handing saves to the background): ` +
          `p50 ${ms(percentile(checkpointMs, 50))}, p99 ${ms(percentile(checkpointMs, 99))}`,
        `  checkpoint saver over ${TURNS} turns: ${saver.saves} saves asked, ${saver.written} written (${saver.merged} merged into a newer one), ` +
          `${saver.commits} commits, ${saver.bundles} bundles; last saves landed ${ms(flushMs)} after the loop's end`,
      );
    }
    return { name: `agent turn overhead (${TURNS} turns each, one tool call per turn, instant fake model, tool time excluded)`, lines };
  } finally {
    await redis.quit();
  }
}

/**
 * Runs the real loop for TURNS tool turns; returns each tool call's own duration and the
 * time each turn spent saving checkpoints (ms).
 */
async function runLoop(
  baseURL: string,
  workspace: string,
  log: EventLog,
): Promise<{ toolMs: number[]; checkpointMs: number[]; saver: CheckpointStats; flushMs: number }> {
  const toolMs: number[] = [];
  // Summed per turn: the saves between two tool.finished events belong to one turn's call.
  const checkpointMs: number[] = [];
  const emitToRedis = createRunEmitter(log, "bench", []);
  const signal = new AbortController().signal;
  const payload: RunJobPayload = {
    kind: "run",
    runId: "bench",
    userId: "bench",
    repo: { name: "bench", url: workspace, credentialEnv: null, networkHosts: [] },
    mcpServers: [],
    environment: null,
    baseBranch: "main",
    branch: "agentdesk/bench",
    executor: "agent",
    command: null,
    prompt: "List the files, again and again.",
    approvalMode: "auto",
    model: null,
    maxTurns: TURNS + 1,
    timeoutSec: 3600,
  };
  const baseSha = (await runGit(["rev-parse", "HEAD"], { cwd: workspace })).stdout.trim();
  const save = createCheckpointSaver({
    log,
    runId: "bench",
    tree: { gitDir: path.join(workspace, ".git"), workspace, indexFile: path.join(workspace, ".git", "index") },
    branch: "agentdesk/bench",
    baseSha,
    author: { name: "bench", email: "bench@localhost" },
    worker: "bench",
  });
  // The loop's calls of the saver, timed per turn; its last flush (after the last model request) timed apart.
  let flushMs = 0;
  const timed: CheckpointSaver = async (turn, state, options) => {
    const started = performance.now();
    await save(turn, state, options);
    checkpointMs[turn - 1] = (checkpointMs[turn - 1] ?? 0) + performance.now() - started;
  };
  timed.flush = async () => {
    const started = performance.now();
    await save.flush!();
    flushMs = performance.now() - started;
  };
  const result = await runAgentLoop(
    {
      client: new Anthropic({ apiKey: "bench", baseURL, maxRetries: 0 }),
      model: "claude-haiku-4-5",
      maxTokens: 8192,
      limits: { maxTurns: TURNS + 1, budgetUsd: 1_000, loopRepeats: TURNS + 10 },
      price: priceFor("claude-haiku-4-5"),
      retry: DEFAULT_RETRY_POLICY,
      textFlushMs: 50,
    },
    {
      payload,
      workspace,
      sandbox: { workspace, readOnlyPaths: [], networkHosts: [] },
      secrets: [],
      signal,
      // Approval mode `auto` and listing only: nothing asks, but the loop gets the real path.
      requestInput: (request) =>
        requestHumanInput({ eventLog: log, emit: emitToRedis, runId: "bench", signal, timeoutSec: DEFAULT_INPUT_TIMEOUT_SEC }, request),
      emit: async (event) => {
        if (event.type === "tool.finished") toolMs.push(event.durationMs);
        await emitToRedis(event);
      },
      checkpoint: timed,
    },
  );
  if (!result.ok) throw new Error(`the loop failed: ${result.error}`);
  return { toolMs, checkpointMs, saver: save.stats!(), flushMs };
}

/** The same request, the same answer, with nothing but the SDK. */
async function rawSdkTurns(): Promise<number[]> {
  const fake = await startFakeAnthropic(() => listTurn);
  try {
    const client = new Anthropic({ apiKey: "bench", baseURL: fake.url, maxRetries: 0 });
    const times: number[] = [];
    for (let i = 0; i < TURNS; i++) {
      const started = performance.now();
      await client.messages
        .stream({ model: "claude-haiku-4-5", max_tokens: 8192, messages: [{ role: "user", content: "List the files." }] })
        .finalMessage();
      times.push(performance.now() - started);
    }
    return times;
  } finally {
    await fake.close();
  }
}

async function sampleRepo(tmp: string): Promise<string> {
  const dir = path.join(tmp, "repo");
  await fs.mkdir(path.join(dir, "src"), { recursive: true });
  for (let i = 0; i < 20; i++) await fs.writeFile(path.join(dir, "src", `file${i}.ts`), `export const n = ${i};\n`);
  const env = { GIT_AUTHOR_NAME: "b", GIT_AUTHOR_EMAIL: "b@localhost", GIT_COMMITTER_NAME: "b", GIT_COMMITTER_EMAIL: "b@localhost" };
  await runGit(["init", "--quiet", "--initial-branch=agentdesk/bench"], { cwd: dir });
  await runGit(["add", "--all"], { cwd: dir });
  await runGit(["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "sample"], { cwd: dir, env });
  return dir;
}
