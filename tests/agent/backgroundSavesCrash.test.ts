import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { INTERRUPTED_OUTPUT } from "../../jobs/agent/toolResume";
import { attemptsDir } from "../../jobs/git/attempt";
import { runRepoPath } from "../../jobs/git/runRepo";
import { runJobOptions } from "../../lib/queue";
import { turn, type FakeTurn, type RecordedRequest } from "../support/fakeAnthropic";
import { git } from "../support/gitRepo";
import { eventually, hasEnded, makeRunPayload, waitForEvents } from "../jobs/helpers";
import { lastEvent, ofType } from "./agentHarness";
import { crashResumeSetup, fileInAttempt, processesWith, recoverStalledJob, shellCall } from "./crashResumeSupport";

/**
 * Saves of file-tool calls land in the background, merged when the model answers faster than
 * git commits. A job process SIGKILLed in the middle of a burst of write_file turns must leave
 * a checkpoint whose files and conversation agree, and a shell call after a burst must not
 * start before the burst's saves have landed (its start record is durable before it runs).
 */
const setup = crashResumeSetup({ "README.md": "base\n" });

type SavedCheckpoint = {
  turn: number;
  headSha: string;
  state: { messages: { role: string; content: string | { type: string; tool_use_id?: string }[] }[]; runningCall?: string };
};

async function savedCheckpoint(runId: string): Promise<SavedCheckpoint | undefined> {
  const raw = await setup.redis.get(setup.log.keys.runCheckpoint(runId));
  return raw === null ? undefined : (JSON.parse(raw) as SavedCheckpoint);
}

/** The call ids whose results the conversation holds. */
const resultsIn = (messages: SavedCheckpoint["state"]["messages"]) =>
  messages.flatMap((m) => (typeof m.content === "string" ? [] : m.content.filter((b) => b.type === "tool_result").map((b) => b.tool_use_id!)));

const modelStep = (request: RecordedRequest) => request.body.messages.filter((m) => m.role === "assistant").length;
const writeCall = (i: number, extra: { hangAfterEvents?: number } = {}): FakeTurn =>
  turn.tool("write_file", { path: `files/f${i}.txt`, content: `write ${i}\n` }, { id: `toolu_w${i}`, ...extra });
const writeIds = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => `toolu_w${from + k}`);
const fileNames = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => `f${from + k}.txt`);

/** The names in `files/` of the workspace of the run's attempt on a machine (read while the model is asked). */
function filesInAttempt(dataDir: string, runId: string): string[] {
  const attempts = fs.readdirSync(attemptsDir(dataDir, runId));
  expect(attempts).toHaveLength(1);
  const folder = path.join(attemptsDir(dataDir, runId), attempts[0]!, "workspace", "files");
  return fs.existsSync(folder) ? fs.readdirSync(folder).sort() : [];
}

/** Messages as the conversation keeps them: the SDK request marks a block for prompt caching. */
const withoutCacheMarks = (messages: unknown): unknown => JSON.parse(JSON.stringify(messages, (key, value: unknown) => (key === "cache_control" ? undefined : value)));

const byNumber = (names: string[]) => [...names].sort((a, b) => Number(a.replace(/\D/g, "")) - Number(b.replace(/\D/g, "")));

describe("background checkpoint saves across a crash", () => {
  it("SIGKILL in a burst of write_file turns: the resumed run starts from a completion whose files and conversation agree, and the diff holds every write", async () => {
    const { fake, queue, log, repo, machine, machines } = setup;
    const writes = 60;
    // The first machine's model stops answering at this call, so the kill always lands inside
    // the burst however fast this machine runs it (CI once finished all 60 before the kill).
    const holdAt = 50;
    const payload = makeRunPayload(repo.url, { executor: "agent", command: null, prompt: "Write the files", maxTurns: writes + 5 });
    // The same model on both machines: the step of the conversation says what comes next.
    let onMachineTwo = false;
    let seenOnResume: string[] | null = null;
    fake.setScript((request) => {
      if (onMachineTwo && seenOnResume === null) seenOnResume = filesInAttempt(path.join(machines, "burst-two"), payload.runId);
      const step = modelStep(request);
      if (!onMachineTwo && step + 1 === holdAt) return writeCall(holdAt, { hangAfterEvents: 0 });
      return step < writes ? writeCall(step + 1) : turn.text("All written.");
    });
    const first = await machine("burst-one");
    await queue.add("run", payload, runJobOptions(payload.runId, "normal"));
    // Killed in the middle of the burst, wherever the background saves are.
    await eventually(async () => ((await savedCheckpoint(payload.runId))?.turn ?? 0) >= 8 || undefined, 60_000);
    first.proc.kill("SIGKILL");
    await first.exited;

    // What the run resumes from: a completion (no call recorded as running), its conversation
    // holding the results of calls 1..t, its commit holding exactly files 1..t as they wrote them.
    const saved = (await savedCheckpoint(payload.runId))!;
    expect(saved.state.runningCall).toBeUndefined();
    const done = resultsIn(saved.state.messages);
    const t = done.length;
    expect(t).toBeGreaterThanOrEqual(8);
    expect(t).toBeLessThan(holdAt);
    expect(done).toEqual(writeIds(1, t));
    const repoOne = runRepoPath(path.join(machines, "burst-one"), payload.runId);
    const committed = (await git(repoOne, "ls-tree", "--name-only", `${saved.headSha}:files`)).split("\n");
    expect(byNumber(committed)).toEqual(fileNames(1, t));
    for (const i of [1, t]) expect(await git(repoOne, "show", `${saved.headSha}:files/f${i}.txt`)).toBe(`write ${i}`);

    await recoverStalledJob(setup, payload.runId);
    const requestsBefore = fake.requests.length;
    onMachineTwo = true;
    const second = await machine("burst-two");
    const events = await waitForEvents(log, payload.runId, hasEnded, 120_000);
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review", branch: payload.branch });

    // The restored workspace is the checkpoint's, and the model got the checkpoint's conversation.
    expect(byNumber(seenOnResume!)).toEqual(fileNames(1, t));
    expect(withoutCacheMarks(fake.requests[requestsBefore]!.body.messages)).toEqual(saved.state.messages);
    // A saved completion never runs again; a call after it may have (its save had not landed).
    const started = ofType(events, "tool.started").map((e) => e.callId);
    for (const id of writeIds(1, t)) expect(started.filter((s) => s === id)).toHaveLength(1);
    expect(new Set(started)).toEqual(new Set(writeIds(1, writes)));

    // One commit with every write, each file as written.
    const diff = ofType(events, "diff.ready")[0]!;
    expect(byNumber(diff.files.map((f) => f.path.replace("files/", "")))).toEqual(fileNames(1, writes));
    const repoTwo = runRepoPath(path.join(machines, "burst-two"), payload.runId);
    expect(await git(repoTwo, "log", "--format=%s", `${diff.baseSha}..${payload.branch}`)).toBe("Write the files");
    for (const i of [1, t, t + 1, writes]) expect(await git(repoTwo, "show", `${payload.branch}:files/f${i}.txt`)).toBe(`write ${i}`);

    second.proc.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 180_000);

  it("a shell call after a burst of writes starts only once their saves have landed; killed while it runs, it is not run again", async () => {
    const { fake, queue, log, repo, machine, machines } = setup;
    const writes = 12;
    // The shell's sleep is this test's own: `ps` finds its processes by this number.
    const tag = String(crypto.randomInt(4_000_000, 5_000_000));
    const payload = makeRunPayload(repo.url, { executor: "agent", command: null, prompt: "Write, then run", maxTurns: writes + 5 });
    fake.setScript((request) => {
      const step = modelStep(request);
      if (step < writes) return writeCall(step + 1);
      if (step === writes) return { content: [shellCall("toolu_shell", `echo once >> shell-log.txt && touch shell-started && sleep ${tag}`)] };
      return turn.text("Done, the command was interrupted.");
    });
    const first = await machine("shell-one");
    await queue.add("run", payload, runJobOptions(payload.runId, "normal"));
    await fileInAttempt(path.join(machines, "shell-one"), payload.runId, "shell-started");

    // Recorded before the command started: every write's completion, with its file committed.
    const saved = (await savedCheckpoint(payload.runId))!;
    expect(saved.state.runningCall).toBe("toolu_shell");
    expect(resultsIn(saved.state.messages)).toEqual(writeIds(1, writes));
    const repoOne = runRepoPath(path.join(machines, "shell-one"), payload.runId);
    expect(byNumber((await git(repoOne, "ls-tree", "--name-only", `${saved.headSha}:files`)).split("\n"))).toEqual(fileNames(1, writes));

    first.proc.kill("SIGKILL");
    await first.exited;
    await eventually(async () => ((await processesWith(`sleep ${tag}`)).length === 0 ? true : undefined), 10_000);
    await recoverStalledJob(setup, payload.runId);
    const second = await machine("shell-two");
    const events = await waitForEvents(log, payload.runId, hasEnded, 60_000);

    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review", branch: payload.branch });
    const started = ofType(events, "tool.started").map((e) => e.callId);
    expect(started).toEqual([...writeIds(1, writes), "toolu_shell"]);
    expect(ofType(events, "tool.finished").at(-1)).toMatchObject({ callId: "toolu_shell", ok: false, output: INTERRUPTED_OUTPUT });
    const diff = ofType(events, "diff.ready")[0]!;
    expect(diff.files.map((f) => f.path)).not.toContain("shell-log.txt");
    expect(byNumber(diff.files.map((f) => f.path.replace("files/", "")))).toEqual(fileNames(1, writes));

    second.proc.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 120_000);
});
