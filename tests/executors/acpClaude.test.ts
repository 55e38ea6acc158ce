import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mirrorPath } from "../../jobs/git/mirror";
import type { RunEvent } from "../../lib/events";
import { reviewJobIds, reviewJobOptions, type RunJobPayload } from "../../lib/queue";
import { fixtureProcesses, fixtureServer, fixtureTag } from "../support/mcpFixture";
import { startFakeAnthropic, turn, type ContentBlockParam, type FakeAnthropic, type FakeTurn, type RecordedRequest } from "../support/fakeAnthropic";
import { git } from "../support/gitRepo";
import { runBranchRepo } from "../git/runBranch";
import { hasEnded, waitForEvents } from "../jobs/helpers";
import { lastEvent, ofType } from "../agent/agentHarness";
import { answerRequest, waitForRequest } from "../agent/support/answers";
import { CLAUDE_ACP, startAcpHarness, type AcpHarness } from "./acpHarness";

/**
 * The `acp` executor with the real claude-agent-acp (node_modules/@agentclientprotocol/
 * claude-agent-acp, and through it the real Claude Code CLI) in the real sandbox, reaching the
 * fake Messages API only through the sandbox's model gateway: the job process's key never
 * enters the sandbox. Claude Code asks (session/request_permission) before commands it does
 * not think safe and before edits; those go through the run's one policy.
 */
const KEY = "sk-ant-real-key-of-the-job-process-5f3c";
let fake: FakeAnthropic;
let h: AcpHarness;
beforeAll(async () => {
  fake = await startFakeAnthropic();
  h = await startAcpHarness({ files: { "README.md": "hello\n" }, env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url } });
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

const said = (events: RunEvent[]) => ofType(events, "assistant.text").map((e) => e.text).join("");
const claude = (overrides: Partial<RunJobPayload> = {}): Partial<RunJobPayload> => ({ acpAgent: CLAUDE_ACP, ...overrides });

/** Requests of the conversation itself (Claude Code also asks the model for a session title, without tools). */
const isConversation = (request: RecordedRequest) =>
  (request.body.tools ?? []).some((t) => t.name === "Bash") && !JSON.stringify(request.body.messages.at(-1)).includes("[SUGGESTION MODE");
const conversation = () => fake.requests.filter(isConversation);

/**
 * The fake's script for claude-agent-acp: the conversation's requests get `turns` in order,
 * the title requests a title.
 */
function conversationScript(turns: FakeTurn[]) {
  let next = 0;
  fake.setScript((request) => {
    if (!isConversation(request)) return turn.text("Greeting work");
    return turns[next++] ?? turn.text("(the script has ended)");
  });
}

/** Every text the model was sent in the conversation's last request: tool results and user messages. */
function lastSent(): string {
  const request = conversation().at(-1)!;
  const last = request.body.messages.at(-1)!;
  const blocks: ContentBlockParam[] = typeof last.content === "string" ? [{ type: "text", text: last.content }] : last.content;
  return JSON.stringify(blocks);
}

const branchFile = async (payload: RunJobPayload, file: string) =>
  git(await runBranchRepo(h.config.dataDir, payload.runId, h.log, mirrorPath(h.config.dataDir, h.repo.url)), "show", `${payload.branch}:${file}`);

describe("claude-agent-acp through the ACP executor", () => {
  it("asks before a risky Bash command; a denial's note reaches the model; an approval runs it in the sandbox; the Write tool's file is in the diff; usage is recorded", async () => {
    const workspaceFile = (name: string) => `__WORKSPACE__/${name}`;
    const risky = "rm -rf build && echo removed";
    const inSandbox = "rm -rf dist && id -u && env";
    const turns: FakeTurn[] = [
      turn.tool("Bash", { command: risky, description: "Remove the build folder" }, { id: "toolu_risky" }),
      turn.text("Understood, I will not remove it."),
      // The reviewer's note arrives as the next prompt.
      turn.tool("Bash", { command: inSandbox, description: "Clean dist and look around" }, { id: "toolu_sandbox" }),
      turn.tool("Write", { file_path: workspaceFile("greeting.txt"), content: "Hello, world\n" }, { id: "toolu_write" }),
      turn.text("Wrote greeting.txt."),
    ];
    let next = 0;
    let workspace = "";
    fake.setScript((request) => {
      if (!isConversation(request)) return turn.text("Greeting work");
      // Claude Code tells the model its working directory: the run's workspace.
      workspace ||= /Primary working directory: ([^\s\\"]+)/.exec(JSON.stringify(request.body))?.[1] ?? "";
      const t = turns[next++] ?? turn.text("(the script has ended)");
      return JSON.parse(JSON.stringify(t).replaceAll("__WORKSPACE__", workspace)) as FakeTurn;
    });
    const payload = await h.submit(claude({ approvalMode: "risky" }));

    const first = await waitForRequest(h.log, payload.runId, 0, 60_000);
    expect(first).toMatchObject({ kind: "approval", tool: "Bash", input: expect.objectContaining({ command: risky }), reasons: expect.arrayContaining([expect.stringContaining("rm -rf build")]) });
    await answerRequest(h.log, payload.runId, first.requestId, { decision: "deny", note: "keep the build folder; clean dist instead" });

    const second = await waitForRequest(h.log, payload.runId, 1, 60_000);
    // The model was told it was refused, then got the reviewer's note as the next message.
    const requests = conversation();
    expect(JSON.stringify(requests[1]!.body.messages.at(-1))).toContain("toolu_risky");
    expect(JSON.stringify(requests[2]!.body.messages.at(-1))).toContain("keep the build folder; clean dist instead");
    expect(second).toMatchObject({ tool: "Bash", input: expect.objectContaining({ command: inSandbox }) });
    await answerRequest(h.log, payload.runId, second.requestId, { decision: "approve" });

    const events = await waitForEvents(h.log, payload.runId, hasEnded, 90_000);
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    // What the command printed reached the model: uid 1000 in the sandbox, and no key.
    const sandboxResult = JSON.stringify(conversation().find((r) => JSON.stringify(r.body.messages.at(-1)).includes("toolu_sandbox"))!.body.messages.at(-1));
    expect(sandboxResult).toMatch(/\\n1000\\n|"1000\\n|\\n1000"/);
    expect(sandboxResult).not.toContain(KEY);
    expect(JSON.stringify(events)).not.toContain(KEY);
    // The feed shows Claude Code's tool calls like any other.
    expect(ofType(events, "tool.started").map((e) => e.tool)).toEqual(expect.arrayContaining(["Bash", "Write"]));
    expect(ofType(events, "tool.finished").find((e) => e.callId.endsWith("toolu_sandbox"))).toMatchObject({ ok: true });
    expect(said(events)).toContain("Wrote greeting.txt.");
    expect(ofType(events, "diff.ready")[0]!.files.map((f) => f.path)).toEqual(["greeting.txt"]);
    expect(await branchFile(payload, "greeting.txt")).toBe("Hello, world");
    const usage = ofType(events, "usage").at(-1)!;
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBeGreaterThan(0);
  }, 180_000);

  it("a repository deny rule holds: denied without a card when Claude Code asks, and the run fails when it runs one unasked", async () => {
    conversationScript([turn.tool("Bash", { command: "git push origin HEAD", description: "Push" }, { id: "toolu_push" }), turn.text("I could not push.")]);
    const rules = { allow: [], ask: [], deny: ["git push*", "cat *"] };
    const { events } = await h.run(claude({ approvalMode: "auto", approvalRules: rules }));
    expect(ofType(events, "input.requested")).toEqual([]);
    expect(JSON.stringify(conversation().at(-1)!.body.messages)).toContain("denied by the rule `git push*`");
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });

    // `cat` is read-only: Claude Code runs it without asking anyone. It ran, in the sandbox;
    // the rule was broken, so the run fails.
    conversationScript([turn.tool("Bash", { command: "cat README.md", description: "Read" }, { id: "toolu_cat" }), turn.text("Read it.")]);
    const unasked = await h.run(claude({ approvalMode: "auto", approvalRules: rules }));
    expect(lastEvent(unasked.events)).toMatchObject({ type: "run.failed", error: expect.stringContaining("`cat README.md` (rule `cat *`)") });
  }, 180_000);

  it("turns AskUserQuestion into the run's question form and gives the model the answer", async () => {
    conversationScript([
      turn.tool(
        "AskUserQuestion",
        { questions: [{ question: "Which greeting should I use?", header: "Greeting", multiSelect: false, options: [{ label: "Hello", description: "plain" }, { label: "Howdy", description: "friendly" }] }] },
        { id: "toolu_ask" },
      ),
      turn.text("Going with it."),
    ]);
    const payload = await h.submit(claude());
    const question = await waitForRequest(h.log, payload.runId, 0, 60_000);
    expect(question).toMatchObject({ kind: "question", question: expect.stringContaining("Which greeting should I use?") });
    expect(question.question).toContain("- Howdy: friendly");
    await answerRequest(h.log, payload.runId, question.requestId, { answer: "howdy" });
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 60_000);
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    const result = lastSent();
    expect(result).toContain("Which greeting should I use?");
    expect(result).toContain("Howdy");
  }, 120_000);

  it("request changes loads the agent's session in the new sandbox: the model sees its earlier conversation, then the feedback", async () => {
    conversationScript([turn.tool("Write", { file_path: "/workspace/greet.txt", content: "Hello\n" }, { id: "toolu_w1" }), turn.text("Done.")]);
    const { payload, events } = await h.run(claude());
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    conversationScript([turn.tool("Write", { file_path: "/workspace/greet.txt", content: "Hello, world\n" }, { id: "toolu_w2" }), turn.text("Greeting widened.")]);
    await h.queue.add("run", { ...payload, feedback: { decisionId: "d1", text: "Greet the whole world." } }, reviewJobOptions(reviewJobIds.changes(payload.runId, "d1")));
    const after = await waitForEvents(h.log, payload.runId, (all) => ofType(all, "run.awaiting_review").length === 2, 90_000);
    expect(ofType(after, "log").some((e) => e.message.startsWith("continuing the agent's session"))).toBe(true);
    // The same Claude Code session: its first request after the feedback holds the earlier turn.
    const sent = JSON.stringify(conversation().find((r) => JSON.stringify(r.body.messages).includes("Greet the whole world."))!.body.messages);
    expect(sent).toContain("toolu_w1");
    expect(sent).toContain("Greet the whole world.");
    expect(sent).not.toContain("The task was");
    expect(ofType(after, "diff.ready")[1]!.patch).toContain("+Hello, world");
  }, 180_000);
});

describe("the run's model and budget", () => {
  it("runs on the run's model through claude-agent-acp's model setting, and holds the cost it reports to the budget", async () => {
    conversationScript([turn.text("Done on the chosen model.")]);
    const before = conversation().length;
    // claude-agent-acp's model setting offers its aliases (default, opus, sonnet, haiku, …).
    const payload = await h.submit(claude({ model: "haiku", budgetUsd: 50 }));
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 90_000);
    expect(lastEvent(events), JSON.stringify(lastEvent(events))).toMatchObject({ type: "run.completed" });
    expect(ofType(events, "log").map((e) => e.message)).toContain('the agent\'s model is haiku (its setting "Model")');
    const sent = conversation().slice(before);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => /^claude-haiku-/.test(r.body.model)), sent.map((r) => r.body.model).join(", ")).toBe(true);
    // claude-agent-acp reports its cost, so the budget is held: no warning that it cannot be.
    expect(ofType(events, "log").some((e) => e.message.includes("reports no cost"))).toBe(false);
  });
});

describe("the repository's MCP servers", () => {
  it("are given to the agent, run in its sandbox, and their tools ask before running", async () => {
    const tag = fixtureTag();
    conversationScript([turn.tool("mcp__fixture__echo", { text: "hi from the model" }, { id: "toolu_mcp" }), turn.text("Echoed.")]);
    const payload = await h.submit(claude({ approvalMode: "auto", mcpServers: [fixtureServer({ tag })] }));
    const request = await waitForRequest(h.log, payload.runId, 0, 60_000);
    expect(request).toMatchObject({ kind: "approval", tool: "mcp__fixture__echo", reasons: [expect.stringContaining("MCP tool")] });
    await answerRequest(h.log, payload.runId, request.requestId, { decision: "approve" });
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 60_000);
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    const result = JSON.stringify(conversation().find((r) => JSON.stringify(r.body.messages.at(-1)).includes("toolu_mcp"))!.body.messages.at(-1));
    expect(result).toContain("hi from the model");
    expect(result).toMatch(/uid[^0-9]*1000/);
    // The server went with the agent's sandbox.
    expect(fixtureProcesses(tag)).toEqual([]);
  }, 120_000);
});
