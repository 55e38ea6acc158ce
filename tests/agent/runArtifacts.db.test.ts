import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as runLog } from "@/app/api/runs/[id]/log/route";
import { GET as runTranscript } from "@/app/api/runs/[id]/transcript/route";
import { POST as createRun } from "@/app/api/runs/route";
import { appendEvent } from "@/lib/eventLog";
import type { EventBodyInput } from "@/lib/events";
import { startRecorder } from "@/lib/recorder";
import type { Transcript } from "@/lib/runTranscript";
import { call, getApp, otherTeam, registerRepo, signUp, type Session } from "../support/web";

describe("run transcript and log downloads", () => {
  let alice: Session;
  let bob: Session;
  let runId: string;
  let recorder: ReturnType<typeof startRecorder>;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-repo-"));

  beforeAll(async () => {
    const admin = await signUp("admin@example.com");
    alice = await signUp("alice@example.com");
    // Bob works in another team.
    bob = (await otherTeam()).owner;
    expect((await registerRepo(admin, { name: "demo", url: repoDir, defaultBranch: "main" })).status).toBe(201);
    const app = await getApp();
    recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100 });
    const res = await call(createRun, "/api/runs", { as: alice, body: { repo: "demo", command: "true", prompt: "Fix the greeting" } });
    runId = ((await res.json()) as { id: string }).id;
    // What an agent run records (the job process is not needed to test what the web makes of it).
    const events: EventBodyInput[] = [
      { type: "run.started", attempt: 1, worker: "host:1" },
      { type: "assistant.text", text: "Let me " },
      { type: "assistant.text", text: "look." },
      { type: "tool.started", callId: "toolu_1", tool: "shell", input: { command: "ls" } },
      { type: "log", level: "info", stream: "stdout", callId: "toolu_1", message: "a.txt\n" },
      { type: "tool.finished", callId: "toolu_1", ok: true, output: "a.txt\n", durationMs: 12, exitCode: 0 },
      { type: "usage", inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 500, costUsd: 0.002, turn: 1 },
      { type: "log", level: "warn", message: "model API overloaded (529); retrying in 1 s, attempt 2 of 6" },
      { type: "usage", inputTokens: 150, outputTokens: 30, cacheReadTokens: 500, cacheWriteTokens: 550, costUsd: 0.003, turn: 2 },
      { type: "assistant.text", text: "Done." },
      { type: "run.failed", error: "stopped: reached the limit of 2 turns" },
    ];
    for (const body of events) await appendEvent(app.eventLog, runId, body);
    await recorder.settle();
  });
  afterAll(async () => {
    await recorder?.stop();
  });

  it("gives the owner the conversation as JSON, rebuilt from the recorded events", async () => {
    const res = await call(runTranscript, `/api/runs/${runId}/transcript?download=1`, { as: alice, params: { id: runId } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="run-${runId}-transcript.json"`);
    const transcript = (await res.json()) as Transcript;
    expect(transcript.prompt).toBe("Fix the greeting");
    const kinds = transcript.entries.map((e) => e.kind);
    expect(kinds).toEqual(["status", "status", "assistant", "tool", "usage", "log", "usage", "assistant", "status"]);
    expect(transcript.entries[2]).toMatchObject({ kind: "assistant", text: "Let me look." });
    expect(transcript.entries[3]).toMatchObject({
      kind: "tool",
      callId: "toolu_1",
      tool: "shell",
      input: { command: "ls" },
      ok: true,
      output: "a.txt\n",
      streamed: "a.txt\n",
      durationMs: 12,
    });
    expect(transcript.entries[6]).toMatchObject({
      kind: "usage",
      turn: 2,
      delta: { inputTokens: 50, outputTokens: 20, cacheReadTokens: 500, cacheWriteTokens: 50 },
      totals: { inputTokens: 150, costUsd: 0.003 },
    });
  });

  it("gives the owner the log as text, one line per event with command output", async () => {
    const res = await call(runLog, `/api/runs/${runId}/log`, { as: alice, params: { id: runId } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const lines = (await res.text()).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z run\.queued\s+cli on demo$/);
    expect(lines).toContainEqual(expect.stringMatching(/tool\.started\s+toolu_1 shell \{"command":"ls"\}$/));
    expect(lines).toContainEqual(expect.stringMatching(/log\s+toolu_1 stdout\| a\.txt$/));
    expect(lines).toContainEqual(expect.stringMatching(/tool\.finished\s+toolu_1 ok in 12 ms \(exit 0\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/usage\s+turn 2: input 150, output 30, cache read 500, cache write 550, cost \$0\.0030 \(totals\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/\[warn\] model API overloaded \(529\)/));
    expect(lines[lines.length - 1]).toMatch(/run\.failed\s+stopped: reached the limit of 2 turns$/);
  });

  it("answers 404 to another team and 401 without a session", async () => {
    for (const handler of [runTranscript, runLog]) {
      expect((await call(handler, `/api/runs/${runId}/x`, { as: bob, params: { id: runId } })).status).toBe(404);
      expect((await call(handler, `/api/runs/${runId}/x`, { params: { id: runId } })).status).toBe(401);
    }
  });
});
