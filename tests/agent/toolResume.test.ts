import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentState } from "../../jobs/agent/agentState";
import { createCheckpointSaver, type CheckpointOptions, type CheckpointSaver } from "../../jobs/agent/checkpoint";
import { runAgentLoop } from "../../jobs/agent/loop";
import { LoopGuard } from "../../jobs/agent/loopGuard";
import { priceFor } from "../../jobs/agent/pricing";
import { INTERRUPTED_OUTPUT, callSaving, changesNothing, safeToRunAgain } from "../../jobs/agent/toolResume";
import type { RequestInput } from "../../jobs/executors/types";
import { runGit } from "../../jobs/git/exec";
import type { ApprovalMode } from "../../lib/approval";
import { loadConfig } from "../../lib/config";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import type { RunEvent } from "../../lib/events";
import { createRedis } from "../../lib/redis";
import { startFakeAnthropic, turn, type FakeAnthropic, type FakeScript } from "../support/fakeAnthropic";
import { makeRunPayload } from "../jobs/helpers";
import { TEST_API_KEY, ofType } from "./agentHarness";

const config = loadConfig();
let fake: FakeAnthropic;
let redis: Redis;
let log: EventLog;
let tmp: string;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  redis = createRedis(config.redisUrl, "worker");
  log = createEventLog(redis, config.redisPrefix);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-tool-resume-"));
});
afterAll(async () => {
  await fake?.close();
  await redis?.quit();
  await fs.rm(tmp, { recursive: true, force: true });
});

type Save = { state: AgentState; options: CheckpointOptions };

/**
 * The real loop (real tools, real sandbox) against the fake model, in `workspace`; every
 * checkpoint it saves is kept (a copy of the state as it was saved) instead of written.
 */
async function runLoop(
  workspace: string,
  script: FakeScript,
  options: { resumeFrom?: AgentState; approvalMode?: ApprovalMode; requestInput?: RequestInput } = {},
) {
  const { resumeFrom } = options;
  fake.setScript(script);
  const requestsBefore = fake.requests.length;
  const events: RunEvent[] = [];
  const saves: Save[] = [];
  const payload = makeRunPayload("unused", {
    executor: "agent",
    command: null,
    prompt: "Work on the files",
    approvalMode: options.approvalMode ?? "auto",
  });
  // What happened, in order: each save (how it was asked for), each flush, each call's start.
  const trail: string[] = [];
  const checkpoint: CheckpointSaver = async (_turn, state, options = {}) => {
    const save = { state: structuredClone(state as AgentState), options };
    saves.push(save);
    trail.push(`save ${howSaved(save)}`);
  };
  checkpoint.flush = async () => void trail.push("flush");
  const result = await runAgentLoop(
    {
      client: new Anthropic({ apiKey: TEST_API_KEY, baseURL: fake.url, maxRetries: 0 }),
      model: "claude-haiku-4-5",
      maxTokens: 1024,
      limits: { maxTurns: 10, budgetUsd: 100, loopRepeats: 10 },
      price: priceFor("claude-haiku-4-5"),
      retry: { baseMs: 10, maxMs: 100, maxAttempts: 1 },
      textFlushMs: 10,
    },
    {
      payload,
      workspace,
      sandbox: { workspace, readOnlyPaths: [], networkHosts: [] },
      secrets: [],
      signal: new AbortController().signal,
      emit: async (event) => {
        if (event.type === "tool.started") trail.push(`started ${event.callId}`);
        events.push({ ...event, runId: payload.runId, seq: events.length, at: new Date().toISOString() } as RunEvent);
      },
      requestInput: options.requestInput ?? (() => Promise.reject(new Error("nothing in this run asks a person"))),
      checkpoint,
      resumeFrom: resumeFrom ? { turn: resumeFrom.turns, state: resumeFrom } : undefined,
    },
  );
  return { result, events, saves, trail, modelRequests: fake.requests.length - requestsBefore };
}

async function workspaceWith(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(tmp, name);
  await fs.mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) await fs.writeFile(path.join(dir, file), content);
  return dir;
}

/** The tool results the model was sent last: [call id, is_error, content]. */
function lastResultsSent(): [string, boolean, unknown][] {
  const messages = fake.requests[fake.requests.length - 1]!.body.messages;
  const content = messages[messages.length - 1]!.content;
  if (typeof content === "string") throw new Error("the last message is not tool results");
  return content.map((b) => [b.tool_use_id!, b.is_error ?? false, b.content]);
}

const oneTurnOfThree: FakeScript = [
  {
    content: [
      { type: "tool_use", id: "toolu_write", name: "write_file", input: { path: "a.txt", content: "written\n" } },
      { type: "tool_use", id: "toolu_read", name: "read_file", input: { path: "a.txt" } },
      { type: "tool_use", id: "toolu_shell", name: "shell", input: { command: "echo appended >> b.txt" } },
    ],
  },
  turn.text("Done."),
];

/**
 * A run of oneTurnOfThree to its end, then the run resumed from a checkpoint it saved, as if
 * the job process had died there (b.txt emptied again first): the save made when `callId`
 * started (calls with effects beyond the workspace), or the completion saved before it.
 */
async function resumedAtStartOf(callId: string) {
  const workspace = await workspaceWith(callId, { "b.txt": "" });
  const { saves } = await runLoop(workspace, oneTurnOfThree);
  const started = saves.find((s) => s.state.runningCall === callId);
  const callIndex = oneTurnOfThreeIds.indexOf(callId);
  const before = saves.find((s) => !s.state.runningCall && s.state.pendingResults?.length === callIndex);
  const atStart = (started ?? before)!.state;
  await fs.writeFile(path.join(workspace, "b.txt"), "");
  const resumed = await runLoop(workspace, [turn.text("Done.")], { resumeFrom: atStart });
  expect(resumed.result.ok).toBe(true);
  return { workspace, resumed };
}
const oneTurnOfThreeIds = ["toolu_write", "toolu_read", "toolu_shell"];

/** How a save was asked for: in the background with the files written, unchanged, or by a scan. */
const howSaved = ({ options }: Save) =>
  options.background ? `background ${options.written?.map((f) => f.path).join(",") ?? ""}`.trim() : options.filesUnchanged ? "unchanged" : "scan";

describe("crash resume per tool call in the loop", () => {
  it("saves the start of calls with outside effects, and each completion: file and read-only calls in the background from what they wrote", async () => {
    const workspace = await workspaceWith("saves", { "b.txt": "" });
    const { result, saves } = await runLoop(workspace, oneTurnOfThree);
    expect(result.ok).toBe(true);
    expect(saves.map((s) => [s.state.runningCall ?? null, s.state.pendingResults?.map((r) => r.tool_use_id) ?? "done", howSaved(s)])).toEqual([
      [null, ["toolu_write"], "background a.txt"],
      [null, ["toolu_write", "toolu_read"], "background"],
      ["toolu_shell", ["toolu_write", "toolu_read"], "unchanged"],
      // The turn's last call: its completion is the turn's end (results in the conversation).
      [null, "done", "scan"],
    ]);
    // What write_file wrote, as the checkpoint commits it.
    expect(saves[0]!.options.written!.map((f) => [f.path, f.content.toString("utf8"), f.executable])).toEqual([["a.txt", "written\n", false]]);
    // Every save holds the model's answer: a resumed run never asks the model for that turn again.
    for (const save of saves) expect(save.state.turns).toBe(1);
    expect(saves[3]!.state.messages.at(-1)!.content).toHaveLength(3);
  });

  it("lets the saves still pending land before a call changes git's rules (.gitignore) or has outside effects, and saves those by a scan", async () => {
    const workspace = await workspaceWith("rules", {});
    const { result, trail } = await runLoop(workspace, [
      {
        content: [
          { type: "tool_use", id: "toolu_a", name: "write_file", input: { path: "a.txt", content: "a\n" } },
          { type: "tool_use", id: "toolu_ignore", name: "write_file", input: { path: ".gitignore", content: "*.log\n" } },
          { type: "tool_use", id: "toolu_b", name: "write_file", input: { path: "b.log", content: "b\n" } },
          { type: "tool_use", id: "toolu_sh", name: "shell", input: { command: "echo c > c.txt" } },
        ],
      },
      turn.text("Done."),
    ]);
    expect(result.ok).toBe(true);
    expect(trail).toEqual([
      "started toolu_a",
      "save background a.txt",
      "flush",
      "started toolu_ignore",
      "save scan",
      "started toolu_b",
      "save background b.log",
      // The shell's start record is a durable save (the saver flushes before it writes).
      "save unchanged",
      "started toolu_sh",
      "save scan",
      // The loop's end: every save has landed.
      "flush",
    ]);
  });

  it("runs the calls after the last saved completion again (a read), and never a completed one", async () => {
    const { workspace, resumed } = await resumedAtStartOf("toolu_read");
    expect(ofType(resumed.events, "tool.started").map((e) => e.callId)).toEqual(["toolu_read", "toolu_shell"]);
    const results = lastResultsSent();
    expect(results.map(([id, isError]) => [id, isError])).toEqual([
      ["toolu_write", false],
      ["toolu_read", false],
      ["toolu_shell", false],
    ]);
    expect(results[1]![2]).toContain("written");
    expect(await fs.readFile(path.join(workspace, "b.txt"), "utf8")).toBe("appended\n");
    // The model is asked for the next turn only.
    expect(resumed.modelRequests).toBe(1);
  });

  it("runs a file call recorded as running (a record of an earlier version) again: the workspace is back as before it", async () => {
    const workspace = await workspaceWith("write-running", { "b.txt": "" });
    const { saves } = await runLoop(workspace, oneTurnOfThree);
    const beforeWrite: AgentState = { ...saves[0]!.state, pendingResults: [], runningCall: "toolu_write" };
    await fs.rm(path.join(workspace, "a.txt"));
    await fs.writeFile(path.join(workspace, "b.txt"), "");
    const resumed = await runLoop(workspace, [turn.text("Done.")], { resumeFrom: beforeWrite });
    expect(resumed.result.ok).toBe(true);
    expect(ofType(resumed.events, "tool.started").map((e) => e.callId)).toEqual(["toolu_write", "toolu_read", "toolu_shell"]);
    expect(lastResultsSent().map(([id, isError]) => [id, isError])).toEqual([
      ["toolu_write", false],
      ["toolu_read", false],
      ["toolu_shell", false],
    ]);
    expect(await fs.readFile(path.join(workspace, "a.txt"), "utf8")).toBe("written\n");
  });

  it("reports a shell call that was running as interrupted instead of running it again", async () => {
    const { workspace, resumed } = await resumedAtStartOf("toolu_shell");
    expect(ofType(resumed.events, "tool.started")).toEqual([]);
    expect(ofType(resumed.events, "tool.finished").map((e) => [e.callId, e.ok, e.output])).toEqual([["toolu_shell", false, INTERRUPTED_OUTPUT]]);
    expect(ofType(resumed.events, "log").map((e) => e.message)).toContainEqual(expect.stringContaining("toolu_shell (shell) was running"));
    expect(lastResultsSent().map(([id, isError]) => [id, isError])).toEqual([
      ["toolu_write", false],
      ["toolu_read", false],
      ["toolu_shell", true],
    ]);
    expect(lastResultsSent()[2]![2]).toBe(INTERRUPTED_OUTPUT);
    expect(resumed.modelRequests).toBe(1);
    // Not run again.
    expect(await fs.readFile(path.join(workspace, "b.txt"), "utf8")).toBe("");
    // Its outcome is saved like any other call's, with the conversation moved on.
    expect(resumed.saves[0]!.state.runningCall).toBeUndefined();
    expect(resumed.saves[0]!.state.pendingResults).toBeUndefined();
  });

  it("counts a call once for the loop guard when a run resumed from its approval wait runs it", async () => {
    const workspace = await workspaceWith("approved", {});
    const command = "rm -f missing.txt && echo removed";
    const script: FakeScript = [turn.tool("shell", { command }, { id: "toolu_rm" }), turn.text("Done.")];
    const approve: RequestInput = async (request) => {
      expect(request.requestId).toBe("approve-toolu_rm");
      return { decision: "approve", by: "owner" };
    };
    const first = await runLoop(workspace, script, { approvalMode: "risky", requestInput: approve });
    // Saved before the wait: the call counted, not started.
    const atWait = first.saves[0]!.state;
    expect([atWait.countedCall, atWait.runningCall]).toEqual(["toolu_rm", undefined]);

    const resumed = await runLoop(workspace, [turn.text("Done.")], { resumeFrom: atWait, approvalMode: "risky", requestInput: approve });
    expect(ofType(resumed.events, "tool.finished").map((e) => [e.callId, e.ok])).toEqual([["toolu_rm", true]]);
    const counts = resumed.saves.at(-1)!.state.loopCounts;
    expect(counts[LoopGuard.key("shell", { command })]).toBe(1);
    expect(resumed.saves.at(-1)!.state.countedCall).toBeUndefined();
  });

  it("tells which calls change nothing: those run again after a crash", () => {
    expect(changesNothing({ name: "read_file", input: { path: "a.txt" } })).toBe(true);
    expect(changesNothing({ name: "list_directory", input: {} })).toBe(true);
    expect(changesNothing({ name: "search", input: { pattern: "x" } })).toBe(true);
    expect(changesNothing({ name: "ask_human", input: { question: "Which one?" } })).toBe(true);
    expect(changesNothing({ name: "shell", input: { command: "ls" } })).toBe(false);
    expect(changesNothing({ name: "write_file", input: { path: "a.txt", content: "" } })).toBe(false);
    expect(changesNothing({ name: "edit_file", input: { path: "a.txt", old_string: "a", new_string: "b" } })).toBe(false);
    // Nothing of these runs: an unknown tool, a shell call without a command.
    expect(changesNothing({ name: "format_disk", input: {} })).toBe(true);
    expect(changesNothing({ name: "shell", input: {} })).toBe(true);
  });

  it("tells which calls are safe to run again (no effect beyond the workspace) and how each is saved", () => {
    expect(safeToRunAgain({ name: "write_file", input: { path: "a.txt", content: "" } })).toBe(true);
    expect(safeToRunAgain({ name: "edit_file", input: { path: "a.txt", old_string: "a", new_string: "b" } })).toBe(true);
    expect(safeToRunAgain({ name: "read_file", input: { path: "a.txt" } })).toBe(true);
    expect(safeToRunAgain({ name: "shell", input: { command: "ls" } })).toBe(false);
    expect(safeToRunAgain({ name: "mcp__notes__write_note", input: {} })).toBe(false);
    expect(callSaving({ name: "write_file", input: { path: "src/a.ts", content: "" } })).toBe("workspace");
    expect(callSaving({ name: "list_directory", input: {} })).toBe("workspace");
    expect(callSaving({ name: "shell", input: { command: "ls" } })).toBe("outside");
    expect(callSaving({ name: "mcp__notes__read_note", input: {} })).toBe("outside");
    // A file that changes how git reads the others: saved by a scan, after the saves still pending.
    expect(callSaving({ name: "write_file", input: { path: "src/.gitignore", content: "" } })).toBe("rules");
    expect(callSaving({ name: "edit_file", input: { path: ".gitattributes", old_string: "a", new_string: "b" } })).toBe("rules");
    expect(callSaving({ name: "read_file", input: { path: ".gitignore" } })).toBe("workspace");
  });
});

describe("checkpoint saver", () => {
  async function repo(name: string): Promise<string> {
    const dir = await workspaceWith(name, { "a.txt": "base\n" });
    const env = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@localhost", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@localhost" };
    await runGit(["init", "--quiet", "--initial-branch=agentdesk/resume"], { cwd: dir });
    await runGit(["add", "--all"], { cwd: dir });
    await runGit(["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "base"], { cwd: dir, env });
    return dir;
  }
  const headOf = async (runId: string) => (JSON.parse((await redis.get(log.keys.runCheckpoint(runId)))!) as { headSha: string }).headSha;

  it("with filesUnchanged records the commit of its last save; its first save always commits", async () => {
    const dir = await repo("saver");
    const runId = `saver-${process.pid}-${Date.now()}`;
    const baseSha = (await runGit(["rev-parse", "HEAD"], { cwd: dir })).stdout.trim();
    const save = createCheckpointSaver({
      log,
      runId,
      tree: { gitDir: path.join(dir, ".git"), workspace: dir, indexFile: path.join(dir, ".git", "index") },
      branch: "agentdesk/resume",
      baseSha,
      author: { name: "t", email: "t@localhost" },
      worker: "test",
    });
    try {
      await fs.writeFile(path.join(dir, "a.txt"), "first\n");
      await save(1, { n: 1 }, { filesUnchanged: true });
      const first = await headOf(runId);
      expect(first).not.toBe(baseSha);
      expect((await runGit(["show", `${first}:a.txt`], { cwd: dir })).stdout).toBe("first\n");

      // The caller says nothing changed: git is not asked (a change made anyway is not seen).
      await fs.writeFile(path.join(dir, "a.txt"), "second\n");
      await save(1, { n: 2 }, { filesUnchanged: true });
      expect(await headOf(runId)).toBe(first);

      await save(1, { n: 3 });
      const third = await headOf(runId);
      expect((await runGit(["show", `${third}:a.txt`], { cwd: dir })).stdout).toBe("second\n");
    } finally {
      await redis.del(log.keys.runCheckpoint(runId), log.keys.runBundle(runId));
    }
  });
});
