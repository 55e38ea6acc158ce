import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mirrorPath } from "../../jobs/git/mirror";
import { runBranchRepo } from "../git/runBranch";
import type { RunEvent } from "../../lib/events";
import { resolveInput } from "../../lib/inputArbiter";
import type { RunStatus } from "../../lib/contracts/runLifecycle";
import { runEffect } from "../../lib/runChanges";
import type { RunJobPayload } from "../../lib/queue";
import { turn, type FakeScript, type RecordedRequest } from "../support/fakeAnthropic";
import { git } from "../support/gitRepo";
import { allEvents, hasEnded, waitForEvents } from "../jobs/helpers";
import { lastEvent, ofType, startAgentHarness, type AgentHarness } from "./agentHarness";
import { answerEveryRequest, answerRequest, waitForRequest, type PersonAnswer } from "./support/answers";
import { toolResultSent } from "./support/modelSaw";

/**
 * Human in the loop through the real agent loop: the approval policy before each tool call,
 * answers through the same Redis step the web uses, ask_human, limits as questions, and a wait
 * that outlives its worker. Real Redis, git, BullMQ and SDK; the model is the scripted fake.
 */
let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness({
    files: { "a.txt": "a\n", "build/out.txt": "built\n", "dist/app.js": "app\n" },
    // $5 per million output tokens (Haiku 4.5): a 6,000-token turn costs $0.03.
    env: { AGENT_BUDGET_USD: "0.05" },
  });
});
afterAll(async () => {
  await h?.close();
});

const risky = { approvalMode: "risky" } as const;
// The status the run page shows after these events (the recorder applies the same rules).
const statusOf = (events: RunEvent[]) => events.reduce<RunStatus>((status, e) => runEffect(status, e).changes.status ?? status, "queued");
const callIds = (events: RunEvent[]) => ofType(events, "tool.started").map((e) => e.callId);

/** Submits, answers each request with `answers[i]`, and returns the run's events once it ended. */
async function runAnswering(script: FakeScript, answers: PersonAnswer[], overrides: Partial<RunJobPayload> = risky) {
  const payload = await h.submit(script, overrides);
  const requests = await answerEveryRequest(h.log, payload.runId, (_, i) => {
    if (!answers[i]) throw new Error(`unexpected request #${i}`);
    return answers[i];
  });
  return { payload, requests, events: await allEvents(h.log, payload.runId) };
}

const resultSent = (callId: string) => toolResultSent(h.fake, callId);

const branchFile = async (payload: RunJobPayload, file: string) =>
  git(await runBranchRepo(h.config.dataDir, payload.runId, h.log, mirrorPath(h.config.dataDir, h.repo.url)), "show", `${payload.branch}:${file}`);

describe("approval mode risky", () => {
  it("runs a safe command unasked, waits on a risky one (waiting_input) and runs it once approved", async () => {
    const payload = await h.submit(
      [
        turn.tool("shell", { command: "cat a.txt" }, { id: "t_safe" }),
        turn.tool("shell", { command: "rm -rf build && echo removed build" }, { id: "t_risky" }),
        turn.text("Cleaned up."),
      ],
      risky,
    );
    const request = await waitForRequest(h.log, payload.runId);
    expect(request).toMatchObject({
      requestId: "approve-t_risky",
      kind: "approval",
      tool: "shell",
      input: { command: "rm -rf build && echo removed build" },
      reasons: [expect.stringContaining("rm")],
    });
    // Waiting: the safe call ran, the risky one has not started.
    const waiting = await allEvents(h.log, payload.runId);
    expect(statusOf(waiting)).toBe("waiting_input");
    expect(callIds(waiting)).toEqual(["t_safe"]);

    await answerRequest(h.log, payload.runId, request.requestId, { decision: "approve" });
    const events = await waitForEvents(h.log, payload.runId, hasEnded);
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    expect(ofType(events, "tool.finished").map((e) => [e.callId, e.ok])).toEqual([
      ["t_safe", true],
      ["t_risky", true],
    ]);
    expect(ofType(events, "log").filter((e) => e.callId === "t_risky").map((e) => e.message).join("")).toContain("removed build");
    expect(ofType(events, "diff.ready")[0]!.files).toEqual([expect.objectContaining({ path: "build/out.txt", status: "deleted" })]);
    expect(ofType(events, "input.requested")).toHaveLength(1);
  });

  it("tells the agent of a denial with the person's note, and the loop goes on", async () => {
    const { events } = await runAnswering(
      [turn.tool("shell", { command: "npm install left-pad" }, { id: "t_deny" }), turn.text("Understood: no new dependency.")],
      [{ decision: "deny", note: "no new dependencies, please" }],
    );
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    expect(ofType(events, "tool.finished")).toEqual([expect.objectContaining({ callId: "t_deny", ok: false })]);
    expect(resultSent("t_deny")).toMatchObject({
      is_error: true,
      content: "The user denied this action: no new dependencies, please Nothing ran.",
    });
  });

  it("runs the command as the reviewer edited it, and tells the agent what ran", async () => {
    const { payload, events } = await runAnswering(
      [turn.tool("shell", { command: "rm -rf build dist", timeoutSec: 30 }, { id: "t_edit" }), turn.text("Done.")],
      [{ decision: "approve", editedInput: { command: "rm -rf build", timeoutSec: 30 }, note: "keep dist" }],
    );
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    // The feed shows what actually ran.
    expect(ofType(events, "tool.started")[0]!.input).toEqual({ command: "rm -rf build", timeoutSec: 30 });
    const sent = resultSent("t_edit");
    expect(sent.is_error).toBeUndefined();
    expect(sent.content).toContain("The reviewer edited this call before approving it; what ran instead was: rm -rf build");
    expect(sent.content).toContain("Note from the reviewer: keep dist");
    expect(ofType(events, "diff.ready")[0]!.files.map((f) => f.path)).toEqual(["build/out.txt"]);
    expect(await branchFile(payload, "dist/app.js")).toBe("app");
  });

  it("does not ask again this run for an action approved with remember", async () => {
    const { requests, events } = await runAnswering(
      [
        turn.tool("shell", { command: "rm -rf build" }, { id: "t_r1" }),
        turn.tool("shell", { command: "  rm -rf build  " }, { id: "t_r2" }),
        turn.tool("shell", { command: "rm -rf dist" }, { id: "t_r3" }),
        turn.text("Done."),
      ],
      [
        { decision: "approve", remember: true },
        { decision: "approve" },
      ],
    );
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    // The same command ran again unasked; another one still asked.
    expect(requests.map((r) => r.requestId)).toEqual(["approve-t_r1", "approve-t_r3"]);
    expect(ofType(events, "tool.finished").every((e) => e.ok)).toBe(true);
  });

  it("tells the agent when nobody answered in time", async () => {
    const payload = await h.submit([turn.tool("shell", { command: "rm -rf build" }, { id: "t_late" }), turn.text("Skipped it.")], risky);
    const request = await waitForRequest(h.log, payload.runId);
    // What the job's own timer does when the input timeout passes (tests/inputs covers the wait).
    await resolveInput(h.log, payload.runId, request.requestId, {
      type: "timeout",
      decision: "deny",
      reason: "no answer within 30 min; treat as denied",
      by: "timeout",
      at: new Date().toISOString(),
    });
    const events = await waitForEvents(h.log, payload.runId, hasEnded);
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    expect(resultSent("t_late")).toMatchObject({ is_error: true, content: "This action was denied: no answer within 30 min; treat as denied. Nothing ran." });
  });
});

describe("approval modes all and auto, and rules", () => {
  it("mode all asks before a file write", async () => {
    const { payload, requests, events } = await runAnswering(
      [turn.tool("write_file", { path: "notes.md", content: "hi\n" }, { id: "t_write" }), turn.text("Wrote it.")],
      [{ decision: "approve" }],
      { approvalMode: "all" },
    );
    expect(requests).toEqual([expect.objectContaining({ tool: "write_file", input: { path: "notes.md", content: "hi\n" } })]);
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    expect(await branchFile(payload, "notes.md")).toBe("hi");
  });

  it("mode auto runs a risky command unasked but never a denied one", async () => {
    const { requests, events } = await runAnswering(
      [
        turn.tool("shell", { command: "rm -rf build" }, { id: "t_auto" }),
        turn.tool("shell", { command: "cat ~/.ssh/id_rsa" }, { id: "t_creds" }),
        turn.text("Done."),
      ],
      [],
      { approvalMode: "auto" },
    );
    expect(requests).toEqual([]);
    expect(ofType(events, "tool.finished").map((e) => [e.callId, e.ok])).toEqual([
      ["t_auto", true],
      ["t_creds", false],
    ]);
    expect(resultSent("t_creds")).toMatchObject({ is_error: true, content: expect.stringContaining("Blocked by the run's approval policy") });
  });

  it("an allow rule skips the ask and a deny rule blocks", async () => {
    const { requests, events } = await runAnswering(
      [
        turn.tool("shell", { command: "rm -rf build" }, { id: "t_allowed" }),
        turn.tool("shell", { command: "cat a.txt" }, { id: "t_ruled_out" }),
        turn.text("Done."),
      ],
      [],
      { approvalMode: "risky", approvalRules: { allow: ["rm -rf build"], ask: [], deny: ["cat *"] } },
    );
    expect(requests).toEqual([]);
    expect(ofType(events, "tool.finished").map((e) => [e.callId, e.ok])).toEqual([
      ["t_allowed", true],
      ["t_ruled_out", false],
    ]);
    expect(resultSent("t_ruled_out").content).toContain("denied by the rule `cat *`");
  });
});

describe("ask_human", () => {
  it("returns the person's answer as the tool result, which reaches the file the agent writes", async () => {
    // The model writes whatever the person answered: the answer must have reached it.
    const script = (request: RecordedRequest, index: number) => {
      if (index === 0) return turn.tool("ask_human", { question: "Whom should the greeting address?" }, { id: "t_ask" });
      if (index === 1) {
        const answer = String(resultSent("t_ask").content);
        return turn.tool("write_file", { path: "greeting.txt", content: `Hello, ${answer}!\n` }, { id: "t_greet" });
      }
      return turn.text(`Greeting written (${request.body.messages.length} messages).`);
    };
    const { payload, requests, events } = await runAnswering(script, [{ answer: "Ada Lovelace" }]);
    expect(requests).toEqual([
      expect.objectContaining({ requestId: "question-t_ask", kind: "question", question: "Whom should the greeting address?" }),
    ]);
    expect(resultSent("t_ask")).toEqual({ type: "tool_result", tool_use_id: "t_ask", content: "Ada Lovelace" });
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    expect(await branchFile(payload, "greeting.txt")).toBe("Hello, Ada Lovelace!");
  });
});

describe("limits as questions", () => {
  it("goes on past the budget when the owner approves, with one more step of budget", async () => {
    const expensive = (i: number) => turn.tool("read_file", { path: "a.txt", limit: i + 1 }, { usage: { output_tokens: 6_000 } });
    const { requests, events } = await runAnswering([expensive(0), expensive(1), expensive(2), turn.text("Done.")], [{ decision: "approve" }]);
    expect(requests).toEqual([
      expect.objectContaining({ kind: "approval", question: expect.stringMatching(/^Budget of \$0\.05 reached \(\$0\.06 spent\)\. Continue with \$0\.05 more\?$/) }),
    ]);
    // $0.06 + $0.05: the third expensive turn ($0.09) goes on unasked.
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    expect(ofType(events, "tool.finished")).toHaveLength(3);
  });

  it("goes on past the loop guard when the owner approves, and asks again after as many repeats", async () => {
    const same = () => turn.tool("read_file", { path: "a.txt" });
    const script = [...Array.from({ length: 8 }, same), turn.text("Done.")];
    const { requests, events } = await runAnswering(script, [{ decision: "approve" }, { decision: "deny" }]);
    expect(requests.map((r) => r.question)).toEqual([
      expect.stringContaining("called read_file 4 times"),
      expect.stringContaining("called read_file 8 times"),
    ]);
    expect(lastEvent(events)).toMatchObject({ type: "run.failed", error: "loop detected: read_file called 8 times with the same input" });
    expect(ofType(events, "tool.started")).toHaveLength(7);
  });
});

describe("a wait that outlives its worker", () => {
  it("picks up an answer given while no worker ran, asks once and does not ask the model again", async () => {
    const payload = await h.submit(
      [turn.tool("shell", { command: "cat a.txt" }, { id: "t_before" }), turn.tool("shell", { command: "rm -rf build" }, { id: "t_crash" }), turn.text("Done.")],
      risky,
    );
    const request = await waitForRequest(h.log, payload.runId);
    const modelRequests = h.fake.requests.length;

    // The waiting run gave back its worker (suspended, tests/suspend): with no job process at
    // all, the answer is stored; the next job process to start wakes the run.
    await h.restartWorker(async () => {
      await answerRequest(h.log, payload.runId, request.requestId, { decision: "approve" });
    });

    const events = await waitForEvents(h.log, payload.runId, hasEnded);
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    expect(ofType(events, "run.started").map((e) => e.resumed)).toEqual([false, true]);
    expect(ofType(events, "input.requested")).toHaveLength(1);
    // Resumed at the waiting call: the call before it did not run again, the model was asked only for what came after.
    expect(callIds(events)).toEqual(["t_before", "t_crash"]);
    expect(h.fake.requests.length - modelRequests).toBe(1);
    expect(ofType(events, "diff.ready")[0]!.files.map((f) => f.path)).toEqual(["build/out.txt"]);
  });
});
