import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mirrorPath } from "../../jobs/git/mirror";
import { requestCancel } from "../../lib/eventLog";
import type { RunEvent } from "../../lib/events";
import { reviewJobIds, reviewJobOptions, type RunJobPayload } from "../../lib/queue";
import type { Step } from "../support/acpGooseDouble/agent";
import { git } from "../support/gitRepo";
import { runBranchRepo } from "../git/runBranch";
import { allEvents, eventually, hasEnded, waitForEvents } from "../jobs/helpers";
import { lastEvent, ofType } from "../agent/agentHarness";
import { answerEveryRequest, answerRequest, waitForRequest } from "../agent/support/answers";
import { GOOSE, startAcpHarness, type AcpHarness } from "./acpHarness";

/**
 * The `acp` executor against an ACP agent launched exactly as Goose is (`goose acp
 * --with-builtin developer`), the double in tests/support/acpGooseDouble: the real ACP SDK on
 * both sides, the real sandbox, Redis, git and BullMQ. The double says what it learns (the
 * client's answers, a terminal's output, a refusal) as text, which the feed shows.
 */
const JOB_SECRET = "job-secret-value-7d1f0c2b";
let h: AcpHarness;
beforeAll(async () => {
  // A secret of the job process: it must never reach the agent or its terminals.
  process.env.TEST_JOB_SECRET_TOKEN = JOB_SECRET;
  h = await startAcpHarness({ files: { "README.md": "hello\n" }, cancelGraceMs: 1_500 });
});
afterAll(async () => {
  await h?.close();
  delete process.env.TEST_JOB_SECRET_TOKEN;
});

const said = (events: RunEvent[]) => ofType(events, "assistant.text").map((e) => e.text).join("");
const denyPush = { allow: [], ask: [], deny: ["git push*"] };
const script = (...turns: Step[][]) => ({ turns });
const risky = (overrides: Partial<RunJobPayload> = {}): Partial<RunJobPayload> => ({ approvalMode: "risky", ...overrides });

const branchFile = async (payload: RunJobPayload, file: string) =>
  git(await runBranchRepo(h.config.dataDir, payload.runId, h.log, mirrorPath(h.config.dataDir, h.repo.url)), "show", `${payload.branch}:${file}`);

/** Processes of this test's Goose double still alive on the machine. */
function doublesAlive(): number {
  let count = 0;
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("acpGooseDouble/agent.ts")) count += 1;
    } catch {
      // Gone meanwhile.
    }
  }
  return count;
}

describe("the Goose configuration", () => {
  it("speaks ACP with Goose's launch line: the client's capabilities, streamed text, tool calls, a plan and usage in the feed", async () => {
    const { events } = await h.run(
      {},
      script([
        { echo: true },
        { plan: [{ content: "Read the README", status: "completed", priority: "high" }, { content: "Improve the greeting", status: "in_progress", priority: "medium" }] },
        { tool: { id: "read-1", title: "Read README.md", kind: "read", rawInput: { path: "README.md" }, output: "hello" } },
        { usage: { inputTokens: 1200, outputTokens: 80, costUsd: 0.0123 } },
        { say: "All done." },
      ]),
    );
    expect(lastEvent(events)).toMatchObject({ type: "run.completed", reason: "no changes" });
    expect(ofType(events, "log").some((e) => e.message.includes("goose acp --with-builtin developer"))).toBe(true);
    expect(ofType(events, "log").some((e) => e.message.includes("Goose (test double) 0.0.0-test"))).toBe(true);
    const text = said(events);
    expect(text).toContain("received: Improve the greeting");
    expect(text).toContain('"fs":{"readTextFile":true,"writeTextFile":true}');
    expect(text).toContain('"terminal":true');
    expect(ofType(events, "agent.plan")[0]!.entries).toEqual([
      { content: "Read the README", status: "completed", priority: "high" },
      { content: "Improve the greeting", status: "in_progress", priority: "medium" },
    ]);
    expect(ofType(events, "tool.started")).toContainEqual(expect.objectContaining({ callId: "acp1-read-1", tool: "Read README.md", input: { path: "README.md" } }));
    expect(ofType(events, "tool.finished")).toContainEqual(expect.objectContaining({ callId: "acp1-read-1", ok: true, output: "hello" }));
    expect(ofType(events, "usage").at(-1)).toMatchObject({ inputTokens: 1200, outputTokens: 80, costUsd: 0.0123 });
  });

  it("fails the run with what the agent said when its program refuses the launch line", async () => {
    const { events } = await h.run({ acpAgent: { ...GOOSE, args: ["run"] } }, script());
    expect(lastEvent(events)).toMatchObject({ type: "run.failed", error: expect.stringContaining("expected 'goose acp --with-builtin developer', got: run") });
  });
});

describe("approvals", () => {
  it("shows a risky command as an approval card; once approved it runs in the sandbox (uid 1000, no job secrets) and the file the agent wrote is in the diff", async () => {
    const command = "rm -rf build && id -u && env";
    const payload = await h.submit(
      risky(),
      script([
        { shell: { id: "sh-1", command, ask: true } },
        { write: { path: "greeting.txt", content: "Hello, world\n" } },
        { say: "Greeting written." },
      ]),
    );
    const request = await waitForRequest(h.log, payload.runId);
    expect(request).toMatchObject({ requestId: "approve-acp1-sh-1", kind: "approval", tool: command, input: { command }, reasons: expect.arrayContaining([expect.stringContaining("rm -rf build")]) });
    // Nothing ran while the card waits.
    expect(ofType(await allEvents(h.log, payload.runId), "tool.started")).toEqual([]);
    await answerRequest(h.log, payload.runId, request.requestId, { decision: "approve" });
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 30_000);

    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    expect(said(events)).toContain("permission for sh-1: allow");
    const terminal = ofType(events, "tool.started").find((e) => e.tool === "terminal")!;
    expect(terminal.input).toMatchObject({ command: "bash", args: ["-c", command] });
    const finished = ofType(events, "tool.finished").find((e) => e.callId === terminal.callId)!;
    expect(finished).toMatchObject({ ok: true, exitCode: 0 });
    expect(finished.output).toMatch(/^1000$/m);
    const output = ofType(events, "log").filter((e) => e.callId === terminal.callId).map((e) => e.message).join("");
    for (const text of [finished.output, output, said(events)]) {
      expect(text).toContain("HOME=");
      expect(text).not.toContain("TEST_JOB_SECRET_TOKEN");
      expect(text).not.toContain("ANTHROPIC_API_KEY");
      expect(text).not.toContain("REDIS_URL");
      expect(text).not.toContain(JOB_SECRET);
    }
    // The agent's own tool call ran from the approval on, and embeds the terminal's output.
    expect(ofType(events, "tool.finished").find((e) => e.callId === "acp1-sh-1")).toMatchObject({ ok: true, output: expect.stringMatching(/^1000$/m) });

    const diff = ofType(events, "diff.ready")[0]!;
    expect(diff.files.map((f) => f.path)).toEqual(["greeting.txt"]);
    expect(await branchFile(payload, "greeting.txt")).toBe("Hello, world");
  });

  it("denies with a note, and the note reaches the agent as its next prompt", async () => {
    const payload = await h.submit(risky(), script([{ shell: { id: "sh-2", command: "rm -rf build", ask: true } }], [{ echo: true }]));
    const request = await waitForRequest(h.log, payload.runId);
    await answerRequest(h.log, payload.runId, request.requestId, { decision: "deny", note: "keep the build folder, run make clean instead" });
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 30_000);
    const text = said(events);
    expect(text).toContain("permission for sh-2: deny");
    expect(text).toMatch(/received: Messages from the person reviewing[\s\S]*The user denied this action: keep the build folder, run make clean instead/);
    expect(ofType(events, "tool.started").some((e) => e.tool === "terminal")).toBe(false);
    expect(ofType(events, "tool.finished").find((e) => e.callId === "acp1-sh-2")).toMatchObject({ ok: false });
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
  });

  it("refuses a command a reviewer edited (an ACP agent cannot run an edit), telling the agent what the reviewer wants instead", async () => {
    const payload = await h.submit(risky(), script([{ shell: { id: "sh-3", command: "rm -rf build", ask: true } }], [{ echo: true }]));
    const request = await waitForRequest(h.log, payload.runId);
    await answerRequest(h.log, payload.runId, request.requestId, { decision: "approve", editedInput: { command: "rm -rf build/cache" } });
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 30_000);
    expect(said(events)).toContain("permission for sh-3: deny");
    expect(said(events)).toContain("The reviewer wants this instead: rm -rf build/cache");
    expect(ofType(events, "tool.started").some((e) => e.tool === "terminal")).toBe(false);
  });

  it("remembers an approval for the run: the same command is not asked about again", async () => {
    const command = "rm -rf build && echo cleaned";
    const payload = await h.submit(
      risky(),
      script([
        { shell: { id: "sh-4", command, ask: true } },
        { shell: { id: "sh-5", command, ask: true } },
        { shell: { id: "sh-6", command: "rm -rf dist && echo cleaned", ask: true } },
      ]),
    );
    const requests = await answerEveryRequest(h.log, payload.runId, () => ({ decision: "approve", remember: true }));
    expect(requests.map((r) => r.requestId)).toEqual(["approve-acp1-sh-4", "approve-acp1-sh-6"]);
    const events = await allEvents(h.log, payload.runId);
    // The agent got "allow once" each time: its own "always" would outlive the run's policy.
    expect(said(events)).toContain("permission for sh-5: allow");
    expect(ofType(events, "tool.finished").filter((e) => e.ok && e.output.includes("cleaned"))).toHaveLength(6);
  });
});

describe("deny rules hold even when the agent does not ask", () => {
  it("refuses a terminal for a denied command, with a JSON-RPC error the agent sees, in approval mode auto", async () => {
    const { events } = await h.run(
      { approvalMode: "auto", approvalRules: denyPush },
      script([{ shell: { id: "push-1", command: "git push origin HEAD", ask: false } }, { say: "carried on" }]),
    );
    expect(said(events)).toMatch(/terminal refused for push-1: .*`git push origin HEAD` is denied by the rule `git push\*`/);
    expect(ofType(events, "tool.started").some((e) => e.tool === "terminal")).toBe(false);
    expect(said(events)).toContain("carried on");
  });

  it("denies a permission request for a denied command without asking anyone, and tells the agent why", async () => {
    const { events } = await h.run(
      { approvalMode: "all", approvalRules: denyPush },
      script([{ shell: { id: "push-2", command: "git push --force", ask: true } }], [{ echo: true }]),
    );
    expect(ofType(events, "input.requested")).toEqual([]);
    expect(said(events)).toContain("permission for push-2: deny");
    expect(said(events)).toMatch(/received: Messages from the person[\s\S]*denied by the rule `git push\*`/);
  });

  it("stops telling an agent that keeps asking for a denied command after five turns of notes", async () => {
    const push = (n: number): Step[] => [{ shell: { id: `push-loop-${n}`, command: "git push", ask: true } }];
    const { events } = await h.run({ approvalMode: "auto", approvalRules: denyPush }, script(...[0, 1, 2, 3, 4, 5, 6, 7].map(push)));
    expect(said(events).match(/permission for push-loop-\d: deny/g)).toHaveLength(6);
    expect(ofType(events, "log").some((e) => e.level === "warn" && e.message.includes("refused again after 5 turns of notes"))).toBe(true);
  });

  it("fails the run when the agent reports a denied command it ran without asking", async () => {
    const { events } = await h.run(
      { approvalMode: "auto", approvalRules: denyPush },
      // It goes on working and ignores the cancel: it is stopped after the grace.
      script([{ ranUnasked: { id: "sneaky", command: "git push origin HEAD" } }, { hang: true }]),
    );
    expect(lastEvent(events)).toMatchObject({
      type: "run.failed",
      error: expect.stringContaining("the agent ran a command the repository's rules deny, without asking: `git push origin HEAD` (rule `git push*`)"),
    });
  });
});

describe("files the agent reads and writes through the client", () => {
  it("keeps them inside the workspace and out of .git", async () => {
    const { events } = await h.run(
      {},
      script([
        { read: { path: "README.md" } },
        { write: { path: "../outside.txt", content: "x" } },
        { write: { path: ".git/hooks/post-commit", content: "#!/bin/sh\n" } },
        { read: { path: "/etc/hostname" } },
        { write: { path: "notes/new.txt", content: "inside\n" } },
      ]),
    );
    const text = said(events);
    expect(text).toContain("read README.md: hello");
    expect(text).toMatch(/write refused for \.\.\/outside\.txt: .*outside the workspace/);
    expect(text).toMatch(/write refused for \.git\/hooks\/post-commit: .*\.git/);
    expect(text).toMatch(/read refused for \/etc\/hostname: .*outside the workspace/);
    expect(text).toContain("wrote notes/new.txt");
    expect(ofType(events, "diff.ready")[0]!.files.map((f) => f.path)).toEqual(["notes/new.txt"]);
  });
});

describe("cancel", () => {
  it("sends session/cancel; the agent ends its turn and the run is cancelled", async () => {
    const payload = await h.submit({}, script([{ waitForCancel: true }]));
    await waitForEvents(h.log, payload.runId, (events) => said(events).includes("waiting to be cancelled"), 20_000);
    await requestCancel(h.log, payload.runId, "user-1");
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 10_000);
    expect(lastEvent(events)).toMatchObject({ type: "run.cancelled", by: "user-1" });
  });

  it("stops the agent's processes when it does not end its turn", async () => {
    const payload = await h.submit({}, script([{ hang: true }]));
    await waitForEvents(h.log, payload.runId, (events) => said(events).includes("hanging"), 20_000);
    expect(doublesAlive()).toBeGreaterThan(0);
    await requestCancel(h.log, payload.runId, "user-1");
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 15_000);
    expect(lastEvent(events)).toMatchObject({ type: "run.cancelled" });
    // bwrap is gone; the kernel takes its PID namespace down with it.
    await eventually(async () => (doublesAlive() === 0 ? true : undefined), 3_000);
  });
});

describe("request changes", () => {
  it("continues in a new session told the task, where its work is and the feedback (the double cannot load sessions)", async () => {
    const { payload, events } = await h.run({}, script([{ write: { path: "greet.txt", content: "Hello\n" } }]));
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });

    process.env.GOOSE_DOUBLE_SCRIPT = JSON.stringify(script([{ echo: true }, { write: { path: "greet.txt", content: "Hello, world\n" } }]));
    const decisionId = "decision-1";
    await h.queue.add("run", { ...payload, feedback: { decisionId, text: "Greet the whole world." } }, reviewJobOptions(reviewJobIds.changes(payload.runId, decisionId)));
    const after = await waitForEvents(h.log, payload.runId, (all) => ofType(all, "run.awaiting_review").length === 2, 30_000);
    const second = said(after.slice(after.findIndex((e) => e.type === "run.awaiting_review") + 1));
    expect(second).toContain("received: Continue this task. The task was:\n\nImprove the greeting");
    expect(second).toContain("Greet the whole world.");
    expect(ofType(after, "diff.ready")[1]!.patch).toContain("+Hello, world");
  });
});

describe("request changes with an agent that can load its session", () => {
  it("loads the run's session and sends only the feedback; the replayed history stays out of the feed", async () => {
    const { payload, events } = await h.run({}, { turns: [[{ echo: true }, { write: { path: "greet.txt", content: "Hello\n" } }]], loadSession: true });
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    expect(said(events)).toContain("received: Improve the greeting");

    process.env.GOOSE_DOUBLE_SCRIPT = JSON.stringify({ turns: [[{ echo: true }, { write: { path: "greet.txt", content: "Hello, world\n" } }]], loadSession: true });
    await h.queue.add("run", { ...payload, feedback: { decisionId: "d2", text: "Greet the whole world." } }, reviewJobOptions(reviewJobIds.changes(payload.runId, "d2")));
    const after = await waitForEvents(h.log, payload.runId, (all) => ofType(all, "run.awaiting_review").length === 2, 30_000);
    const second = said(after.slice(after.findIndex((e) => e.type === "run.awaiting_review") + 1));
    expect(ofType(after, "log").some((e) => e.message === "continuing the agent's session goose-session-1")).toBe(true);
    expect(second).toContain("received: A reviewer read the diff of your changes and requested changes:\n\nGreet the whole world.");
    expect(second).not.toContain("The task was");
    expect(said(after)).not.toContain("REPLAYED HISTORY");
    expect(ofType(after, "diff.ready")[1]!.patch).toContain("+Hello, world");
  });
});

describe("how a turn ends", () => {
  it("fails the run with a clear message when the agent stops for its token limit", async () => {
    const { events } = await h.run({}, script([{ say: "thinking a lot" }, { stop: "max_tokens" }]));
    expect(lastEvent(events)).toMatchObject({ type: "run.failed", error: "the agent stopped: it reached its output token limit" });
  });
});

describe("a job process that goes away", () => {
  it("hands the run to another one, which starts a new session told the task and that its work is in the workspace", async () => {
    const payload = await h.submit(
      {},
      script([
        { write: { path: "from-first.txt", content: "first\n" } },
        // A finished tool call: the run checkpoints its state and the workspace here.
        { tool: { id: "note-1", title: "Wrote from-first.txt", kind: "edit", rawInput: { path: "from-first.txt" }, output: "ok" } },
        { waitForCancel: true },
      ]),
    );
    await waitForEvents(h.log, payload.runId, (events) => said(events).includes("waiting to be cancelled"), 20_000);
    await h.restartWorker(() => {
      process.env.GOOSE_DOUBLE_SCRIPT = JSON.stringify(script([{ echo: true }, { read: { path: "from-first.txt" } }]));
    });
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 30_000);
    expect(ofType(events, "run.started").at(-1)).toMatchObject({ resumed: true });
    const text = said(events);
    expect(text).toContain("received: Continue this task. The task was:\n\nImprove the greeting");
    expect(text).toContain("You were interrupted");
    expect(text).toContain("read from-first.txt: first");
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    expect(await branchFile(payload, "from-first.txt")).toBe("first");
  });
});

describe("what the agent receives", () => {
  it("refuses to hand AgentDesk's own secrets to an agent, even when an admin listed them", async () => {
    const { events } = await h.run({ acpAgent: { ...GOOSE, envNames: ["GOOSE_DOUBLE_SCRIPT", "REDIS_URL"] } }, script());
    expect(lastEvent(events)).toMatchObject({ type: "run.failed", error: expect.stringContaining("may not receive REDIS_URL") });
  });
});
