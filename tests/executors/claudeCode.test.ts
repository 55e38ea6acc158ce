import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClaudeCodeExecutor } from "../../jobs/executors/claudeCode";
import { check, claudeCodeBinaryPath } from "../../jobs/executors/claudeCode/binary";
import { parseClaudeCodeState } from "../../jobs/executors/claudeCode/state";
import { PermanentRunError } from "../../jobs/errors";
import { mirrorPath } from "../../jobs/git/mirror";
import { budgetKeys } from "../../lib/contracts/budgets";
import { reviewJobIds, reviewJobOptions } from "../../lib/queue";
import { turn, type ContentBlockParam, type FakeScript } from "../support/fakeAnthropic";
import { git } from "../support/gitRepo";
import { runBranchRepo } from "../git/runBranch";
import { requestCancel } from "../../lib/eventLog";
import { allEvents, eventually, hasEnded, waitForEvents } from "../jobs/helpers";
import { hostProcessesWith, sleepProcess, uniqueSleep } from "../sandbox/support/processes";
import { lastEvent, ofType, startAgentHarness, TEST_API_KEY, type AgentHarness } from "../agent/agentHarness";
import { toolResultSent } from "../agent/support/modelSaw";
import { fixtureServer } from "../support/mcpFixture";
import { answerEveryRequest, answerRequest, waitForRequest, type PersonAnswer } from "../agent/support/answers";

/**
 * The `claude-code` executor end to end: the real Claude Agent SDK and its Claude Code CLI, in
 * the real sandbox (bwrap), talking through the model gateway to the fake Messages API; real
 * Redis, git and BullMQ. One job process serves the whole file (the CLI starts in about a second).
 */
let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness({
    files: {
      "README.md": "# Greeter\n",
      "notes.tmp": "scratch\n",
      "AGENTS.md": "Greet in the house style: agents-md-marker.\n",
      // A repository's Claude Code settings are its own untrusted files: never loaded.
      ".claude/settings.json": JSON.stringify({
        hooks: { PreToolUse: [{ matcher: "*", hooks: [{ type: "command", command: "touch /workspace/repo-hook-ran.txt" }] }] },
        permissions: { allow: ["Bash(*)"] },
      }),
    },
    executor: "claude-code",
    // $5 per million output tokens (Haiku 4.5).
    env: { AGENT_BUDGET_USD: "5" },
    moreExecutors: (config) => [createClaudeCodeExecutor(config, { maxRetries: 0 })],
  });
});
afterAll(async () => {
  await h?.close();
});

/** The tool_result the model received for a call, from the fake's recorded requests. */
const resultSent = (callId: string) => toolResultSent(h.fake, callId);

const textOf = (block: ContentBlockParam) =>
  typeof block.content === "string" ? block.content : JSON.stringify(block.content);

async function runAnswering(script: FakeScript, answers: PersonAnswer[], overrides: Parameters<AgentHarness["submit"]>[1] = {}) {
  const payload = await h.submit(script, { approvalMode: "risky", ...overrides });
  const requests = await answerEveryRequest(h.log, payload.runId, (_, i) => {
    if (!answers[i]) throw new Error(`unexpected request #${i}`);
    return answers[i];
  }, 60_000);
  return { payload, requests, events: await allEvents(h.log, payload.runId) };
}

// What an approved shell command reports about where it ran. The token the CLI uses is not the
// key, and the command must not see either, nor reach the gateway or any network.
const PROBE = [
  "echo uid=$(id -u)",
  `echo key-in-env=$(env | grep -c '${TEST_API_KEY}')`,
  `echo key-in-procs=$(cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c -e '${TEST_API_KEY}' -e agentdesk-sandbox- )`,
  "echo anthropic-vars=$(env | grep -c ^ANTHROPIC_)",
  "(exec 3<>/dev/tcp/127.0.0.1/3129) 2>/dev/null && echo gateway=reached || echo gateway=unreachable",
  "curl -s -m 3 -o /dev/null https://example.com && echo net=reached || echo net=unreachable",
  "rm -f notes.tmp && echo removed",
].join("; ");

describe("claude-code: approvals, questions, the diff and usage", () => {
  it("asks before a risky command, passes a denial's note to the model, runs an approved one sandboxed, answers a question", async () => {
    const first = h.fake.requests.length;
    const { payload, requests, events } = await runAnswering(
      [
        turn.tool("Bash", { command: "rm -rf build", description: "Clean" }, { id: "toolu_rm", text: "Let me clean up." }),
        turn.tool("Bash", { command: PROBE, description: "Probe" }, { id: "toolu_probe" }),
        turn.tool("Write", { file_path: "/workspace/greet.txt", content: "Hello\n" }, { id: "toolu_write" }),
        turn.tool(
          "AskUserQuestion",
          { questions: [{ question: "Which greeting?", header: "Greeting", options: [{ label: "Hello", description: "plain" }, { label: "Hi", description: "short" }], multiSelect: false }] },
          { id: "toolu_ask" },
        ),
        turn.text("Done: greet.txt added."),
      ],
      [{ decision: "deny", note: "use git clean instead" }, { decision: "approve" }, { answer: "Hi, please" }],
    );

    // A risky command became an approval card with the tool's own name and input.
    expect(requests[0]).toMatchObject({ requestId: "approve-toolu_rm", kind: "approval", tool: "Bash", input: { command: "rm -rf build" } });
    expect(requests[1]).toMatchObject({ requestId: "approve-toolu_probe", kind: "approval", tool: "Bash" });
    expect(requests[2]).toMatchObject({ requestId: "question-toolu_ask", kind: "question", tool: "AskUserQuestion" });
    expect(requests[2]!.question).toContain("Which greeting?");
    expect(requests[2]!.question).toContain("- Hi: short");

    // The denial's note reached the model in the call's result; nothing ran.
    const denied = resultSent("toolu_rm");
    expect(denied.is_error).toBe(true);
    expect(textOf(denied)).toContain("use git clean instead");

    // The approved command ran in the sandbox: uid 1000, no key or token, no gateway, no network.
    const probe = textOf(resultSent("toolu_probe"));
    for (const line of ["uid=1000", "key-in-env=0", "key-in-procs=0", "anthropic-vars=0", "gateway=unreachable", "net=unreachable", "removed"]) {
      expect(probe).toContain(line);
    }
    // The answer reached the model.
    expect(textOf(resultSent("toolu_ask"))).toContain("Hi, please");

    // The feed: each call started and finished, the denied one with the note, text streamed.
    const finished = new Map(ofType(events, "tool.finished").map((e) => [e.callId, e]));
    expect(ofType(events, "tool.started").map((e) => [e.callId, e.tool])).toEqual([
      ["toolu_rm", "Bash"],
      ["toolu_probe", "Bash"],
      ["toolu_write", "Write"],
      ["toolu_ask", "AskUserQuestion"],
    ]);
    expect(finished.get("toolu_rm")).toMatchObject({ ok: false, output: expect.stringContaining("use git clean instead") });
    expect(finished.get("toolu_probe")).toMatchObject({ ok: true, output: expect.stringContaining("uid=1000") });
    expect(finished.get("toolu_write")!.ok).toBe(true);
    expect(ofType(events, "assistant.text").map((e) => e.text).join("")).toContain("Let me clean up.");
    // The approval card came after the text before it, and the call after the decision.
    const seqOf = (pred: (e: (typeof events)[number]) => boolean) => events.find(pred)!.seq;
    expect(seqOf((e) => e.type === "assistant.text")).toBeLessThan(seqOf((e) => e.type === "input.requested"));
    expect(seqOf((e) => e.type === "input.resolved")).toBeLessThan(seqOf((e) => e.type === "tool.started" && e.callId === "toolu_probe"));

    // Usage after every model request, running totals with cost.
    const usage = ofType(events, "usage");
    expect(usage.map((u) => u.turn)).toEqual([1, 2, 3, 4, 5]);
    expect(usage.at(-1)!.costUsd).toBeGreaterThan(usage[0]!.costUsd);
    expect(usage.at(-1)!.inputTokens).toBe(250);

    // The repository's AGENTS.md is in Claude Code's system prompt, named in the feed.
    expect(JSON.stringify(h.fake.requests[first]!.body.system)).toContain("agents-md-marker");
    expect(ofType(events, "log").some((e) => e.message.startsWith("Using the repository's instructions from AGENTS.md"))).toBe(true);

    // The Write tool's file and the removed file are the run's diff (the repository's own hook
    // never ran: it would have added repo-hook-ran.txt).
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    const diff = ofType(events, "diff.ready")[0]!;
    expect(diff.files.map((f) => [f.path, f.status])).toEqual([
      ["greet.txt", "added"],
      ["notes.tmp", "deleted"],
    ]);
    const repo = await runBranchRepo(h.config.dataDir, payload.runId, h.log, mirrorPath(h.config.dataDir, h.repo.url));
    expect(await git(repo, "show", `${payload.branch}:greet.txt`)).toBe("Hello");

    // The model key never reached the sandbox: the gateway added it to every request. The CLI
    // sent the model nothing but these requests.
    expect(h.fake.requests.at(-1)!.headers["x-api-key"]).toBe(TEST_API_KEY);
    expect(h.fake.unhandled).toEqual([]);
  }, 90_000);

  it("runs what the reviewer approved instead, and tells the model so", async () => {
    const { events } = await runAnswering(
      [turn.tool("Bash", { command: "rm -rf dist", description: "Clean" }, { id: "toolu_edit" }), turn.text("Noted.")],
      [{ decision: "approve", editedInput: { command: "echo edited-instead", description: "Clean" }, note: "keep dist" }],
    );
    expect(ofType(events, "tool.started")[0]).toMatchObject({ callId: "toolu_edit", input: { command: "echo edited-instead" } });
    expect(textOf(resultSent("toolu_edit"))).toContain("edited-instead");
    const next = JSON.stringify(h.fake.requests.at(-1)!.body.messages);
    expect(next).toContain("The reviewer edited this call before approving it; what ran instead was: echo edited-instead");
    expect(next).toContain("Note from the reviewer: keep dist");
  }, 60_000);

  it("holds a repository deny rule in approval mode auto: `git push` is blocked without asking", async () => {
    const { events } = await h.run(
      [
        turn.tool("Bash", { command: "git push origin HEAD", description: "Push" }, { id: "toolu_push" }),
        turn.text("I could not push."),
      ],
      { approvalMode: "auto", approvalRules: { allow: [], ask: [], deny: ["git push*"] } },
    );
    expect(ofType(events, "input.requested")).toHaveLength(0);
    const result = resultSent("toolu_push");
    expect(result.is_error).toBe(true);
    expect(textOf(result)).toMatch(/Blocked by the run's approval policy.*git push/s);
    expect(ofType(events, "tool.finished")[0]).toMatchObject({ callId: "toolu_push", ok: false });
    // Completed with nothing to review: the push never ran.
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
  }, 60_000);

  it("asks before going past the turn limit, and stops the run when the person says no", async () => {
    const payload = await h.submit(
      [turn.tool("Bash", { command: "echo one > one.txt", description: "one" }, { id: "toolu_l1" }), turn.text("never reached")],
      { approvalMode: "auto", maxTurns: 1 },
    );
    const request = await waitForRequest(h.log, payload.runId, 0, 60_000);
    expect(request).toMatchObject({ kind: "approval", question: expect.stringContaining("limit of 1 turns") });
    await answerRequest(h.log, payload.runId, request.requestId, { decision: "deny" });
    const events = await waitForEvents(h.log, payload.runId, (all) => all.some((e) => e.type === "run.failed"), 60_000);
    expect(lastEvent(events)).toMatchObject({ type: "run.failed", error: expect.stringContaining("limit of 1 turns") });
    expect(ofType(events, "tool.finished")).toMatchObject([{ callId: "toolu_l1", ok: false }]);
  }, 90_000);
});

describe("claude-code: the team's monthly spending limit", () => {
  it("asks a team admin before the first tool call of a response whose successor would cross the limit; a stop ends the run", async () => {
    // As the web mirrors it: a team limit of $0.15 and nothing else spent this month. The model's
    // answer costs $0.10 (100 000 input tokens of Haiku 4.5): $0.10 spent + $0.10 for the next is too much.
    const keys = budgetKeys(h.config.redisPrefix);
    const spending = { teamId: "team-cc-budget", month: "2026-11" };
    await h.redis.hset(keys.limits(spending.teamId), { loaded: "1", team: "0.15" });
    const usage = { input_tokens: 100_000, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    const payload = await h.submit(
      [turn.tool("Bash", { command: "echo one > one.txt", description: "one" }, { id: "toolu_b1", usage }), turn.text("never reached")],
      { approvalMode: "auto", spending, model: "claude-haiku-4-5" },
    );
    const request = await waitForRequest(h.log, payload.runId, 0, 60_000);
    expect(request).toMatchObject({ kind: "budget", requestId: expect.stringMatching(/^budget-.+-0$/), input: { scope: "team", limitUsd: 0.15 } });
    await answerRequest(h.log, payload.runId, request.requestId, { decision: "deny" });
    const events = await waitForEvents(h.log, payload.runId, (all) => all.some((e) => e.type === "run.failed"), 60_000);
    expect(lastEvent(events)).toMatchObject({ type: "run.failed", error: "stopped at the team's monthly spending limit of $0.15 by owner@example.com" });
    expect(ofType(events, "tool.finished")).toMatchObject([{ callId: "toolu_b1", ok: false }]);
  }, 90_000);
});

describe("claude-code: cancel", () => {
  it("stops the CLI and the command it runs when the run is cancelled", async () => {
    const sleep = uniqueSleep();
    const payload = await h.submit(
      // (A standalone `sleep` Claude Code refuses to run.)
      [turn.tool("Bash", { command: `echo waiting; ${sleep.command}; echo done`, description: "Wait" }, { id: "toolu_sleep" }), turn.text("never")],
      { approvalMode: "auto" },
    );
    const sleeping = await eventually(() => sleepProcess(sleep.marker), 30_000);
    await requestCancel(h.log, payload.runId, "user-1");
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 15_000);
    expect(lastEvent(events)).toMatchObject({ type: "run.cancelled", by: "user-1" });
    await eventually(async () => ((await hostProcessesWith(sleep.marker)).length === 0 ? true : undefined), 10_000);
    expect(await sleepProcess(sleep.marker)).toBeUndefined();
    expect(sleeping.pid).toBeGreaterThan(0);
  }, 60_000);
});

describe("claude-code: MCP servers", () => {
  it("starts the repository's stdio server in the sandbox, asks before its tool, and keeps its variables off every command line", async () => {
    const stamp = String(Date.now());
    const secret = `mcp-secret-${stamp}`;
    process.env.AGENTDESK_CC_MCP_SECRET = secret;
    try {
      const { requests, events } = await runAnswering(
        [
          turn.tool("mcp__fixture__echo", { text: "hi", envVar: "AGENTDESK_CC_MCP_SECRET" }, { id: "toolu_mcp" }),
          turn.tool(
            "Bash",
            // The secret is put together in a file: no command line of the probe holds it, grep's included.
            { command: `printf '%s%s\\n' mcp-secret- ${stamp} > /tmp/pattern; echo on-cmdlines=$(cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' '\\n' | grep -c -F -f /tmp/pattern); ls /run/agentdesk-model | wc -l`, description: "Look" },
            { id: "toolu_look" },
          ),
          turn.text("Echoed."),
        ],
        [{ decision: "approve" }, { decision: "approve" }, { decision: "approve" }],
        { approvalMode: "all", mcpServers: [fixtureServer({ envNames: ["AGENTDESK_CC_MCP_SECRET"] })] },
      );
      expect(requests[0]).toMatchObject({ requestId: "approve-toolu_mcp", kind: "approval", tool: "mcp__fixture__echo", input: { text: "hi" } });
      const echoed = textOf(resultSent("toolu_mcp"));
      expect(echoed).toContain("hi");
      // The server got its variable (and, started like a shell command, no model variables).
      expect(echoed).toMatch(/envVarSet\\?":\s*true/);
      expect(echoed).not.toContain("ANTHROPIC_");
      expect(echoed).not.toContain(secret);
      expect(textOf(resultSent("toolu_look"))).toMatch(/on-cmdlines=0\s+0/);
      expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    } finally {
      delete process.env.AGENTDESK_CC_MCP_SECRET;
    }
  }, 90_000);
});

describe("claude-code: request changes", () => {
  it("resumes the same session on the same branch with the reviewer's feedback", async () => {
    const { payload, events } = await h.run([
      turn.tool("Write", { file_path: "/workspace/hello.txt", content: "Hello\n" }, { id: "toolu_first" }),
      turn.text("I added hello.txt."),
    ]);
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    const saved = JSON.parse((await h.redis.get(h.log.keys.runConversation(payload.runId)))!) as { sessionId: string };

    h.fake.setScript([
      turn.tool("Edit", { file_path: "/workspace/hello.txt", old_string: "Hello", new_string: "Hello, world" }, { id: "toolu_second" }),
      turn.text("Made the greeting longer."),
    ]);
    const decisionId = "decision-1";
    await h.queue.add(
      "run",
      { ...payload, feedback: { decisionId, text: "Please greet the whole world." } },
      reviewJobOptions(reviewJobIds.changes(payload.runId, decisionId)),
    );
    const after = await waitForEvents(h.log, payload.runId, (all) => ofType(all, "run.awaiting_review").length === 2, 60_000);

    // The model saw the earlier conversation, then the feedback, in one continued session.
    const request = JSON.stringify(h.fake.requests.at(-2)!.body.messages);
    expect(request).toContain("toolu_first");
    expect(request).toContain("I added hello.txt.");
    expect(request).toContain("Please greet the whole world.");
    const again = JSON.parse((await h.redis.get(h.log.keys.runConversation(payload.runId)))!) as { sessionId: string };
    expect(again.sessionId).toBe(saved.sessionId);

    // The Edit tool changed the reviewed file; the second diff holds both rounds on the same branch.
    const diffs = ofType(after, "diff.ready");
    expect(diffs).toHaveLength(2);
    expect(diffs[1]!.patch).toContain("+Hello, world");
    expect(ofType(after, "run.awaiting_review")[1]!.branch).toBe(payload.branch);
  }, 90_000);
});

describe("claude-code: availability and saved sessions", () => {
  it("says why it cannot run: no CLI binary, a binary that does not start, no model key", () => {
    expect(check("/nonexistent/claude")).toMatchObject({ problem: expect.stringContaining("not installed") });
    expect(check("/bin/false")).toMatchObject({ problem: expect.stringContaining("does not start") });
    expect(check(claudeCodeBinaryPath())).toMatchObject({ binary: { path: expect.stringContaining("claude") } });
    const config = { ...h.config };
    expect(createClaudeCodeExecutor(config).unavailableReason()).toBeNull();
    expect(createClaudeCodeExecutor({ ...config, anthropicApiKey: undefined }).unavailableReason()).toMatch(/ANTHROPIC_API_KEY/);
    // npm run demo's scripted model answers only our own agent's tools.
    expect(createClaudeCodeExecutor({ ...config, agentDemo: true }).unavailableReason()).toMatch(/demo model plays only the AgentDesk agent/);
  });

  it("refuses a saved session whose files would land outside the CLI's config folder", () => {
    const base = { version: 1, sessionId: "6787af43-2543-44b4-9241-97c6b140944b", cwd: "/workspace", usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 }, turns: 0, requests: 0, raisedLimits: {} };
    for (const file of ["../outside.jsonl", "/etc/passwd", "projects/../../x", "projects/./x", ".hidden"]) {
      expect(() => parseClaudeCodeState({ ...base, files: { [file]: "" } }), file).toThrow(PermanentRunError);
    }
    expect(() => parseClaudeCodeState({ ...base, sessionId: "../../x", files: {} })).toThrow(PermanentRunError);
    expect(parseClaudeCodeState({ ...base, files: { "projects/-workspace/6787af43-2543-44b4-9241-97c6b140944b.jsonl": "" } }).remembered).toEqual({ shell: [], write: [], tools: [] });
  });
});
