import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changesNothing } from "../../jobs/agent/toolResume";
import { SANDBOX_UID } from "../../jobs/sandbox/bwrapArgs";
import { requestCancel } from "../../lib/eventLog";
import type { RunEvent } from "../../lib/events";
import { turn } from "../support/fakeAnthropic";
import { fixtureProcesses, fixtureServer, fixtureTag } from "../support/mcpFixture";
import { hasEnded, hasType, waitForEvents } from "../jobs/helpers";
import { lastEvent, ofType, startAgentHarness, TEST_API_KEY, type AgentHarness } from "./agentHarness";
import { toolResultSent } from "./support/modelSaw";
import { answerRequest, waitForRequest } from "./support/answers";

/**
 * MCP servers in our agent loop, end to end: the real loop and BullMQ worker, the fake Messages
 * API, and the test MCP server (tests/support/mcpFixture) started in the run's real bubblewrap
 * sandbox. Its tools reach the model as mcp__fixture__<tool>, every call passes the one
 * approval gate ("ask" unless a rule allows), and results reach the model and the feed.
 */
let h: AgentHarness;
const previousKey = process.env.ANTHROPIC_API_KEY;
beforeAll(async () => {
  // The job process holds the model key, as in production: it must not reach the server.
  process.env.ANTHROPIC_API_KEY = TEST_API_KEY;
  h = await startAgentHarness({ files: { "a.txt": "a\n" } });
});
afterAll(async () => {
  await h?.close();
  if (previousKey === undefined) delete process.env.ANTHROPIC_API_KEY;
  else process.env.ANTHROPIC_API_KEY = previousKey;
});

const resultSent = (callId: string) => toolResultSent(h.fake, callId);
const sentText = (callId: string) => String(resultSent(callId).content);
const warnings = (events: RunEvent[]) => ofType(events, "log").filter((e) => e.level === "warn").map((e) => e.message);

describe("an MCP tool in the agent loop", () => {
  it("is offered to the model, asks for approval even in mode auto, runs in the sandbox once approved, and its result reaches the model and the feed", async () => {
    const first = h.fake.requests.length;
    const payload = await h.submit(
      [
        turn.tool("mcp__fixture__echo", { text: "hello", envVar: "ANTHROPIC_API_KEY" }, { id: "t_echo" }),
        turn.text("The server answered."),
      ],
      { mcpServers: [fixtureServer()], approvalMode: "auto" },
    );
    const request = await waitForRequest(h.log, payload.runId);
    expect(request).toMatchObject({
      requestId: "approve-t_echo",
      kind: "approval",
      tool: "mcp__fixture__echo",
      input: { text: "hello", envVar: "ANTHROPIC_API_KEY" },
      reasons: [expect.stringContaining("MCP tool")],
    });
    await answerRequest(h.log, payload.runId, request.requestId, { decision: "approve" });
    const events = await waitForEvents(h.log, payload.runId, hasEnded);
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });

    // The model saw the server's tools with their schemas, after ours.
    const tools = h.fake.requests[first]!.body.tools!.map((t) => t.name);
    expect(tools.slice(-4)).toEqual(["mcp__fixture__echo", "mcp__fixture__write_note", "mcp__fixture__slow", "mcp__fixture__fail"]);
    expect(h.fake.requests[first]!.body.tools!.find((t) => t.name === "mcp__fixture__echo")!.input_schema).toMatchObject({
      type: "object",
      required: ["text"],
    });
    // The result reached the model: the server ran as the sandbox's user, in the workspace, without the key.
    const facts = JSON.parse(sentText("t_echo")) as Record<string, unknown>;
    expect(resultSent("t_echo").is_error).toBeUndefined();
    expect(facts).toMatchObject({ echo: "hello", uid: SANDBOX_UID, envVar: "ANTHROPIC_API_KEY", envVarSet: false });
    expect(facts.envNames).not.toContain("ANTHROPIC_API_KEY");
    expect(JSON.stringify(facts)).not.toContain(TEST_API_KEY);
    // The feed shows it like any tool call.
    expect(ofType(events, "tool.started")).toEqual([expect.objectContaining({ callId: "t_echo", tool: "mcp__fixture__echo", input: { text: "hello", envVar: "ANTHROPIC_API_KEY" } })]);
    expect(ofType(events, "tool.finished")).toEqual([expect.objectContaining({ callId: "t_echo", ok: true, output: expect.stringContaining('"echo":"hello"') })]);
    // Started for the run, stopped when it gave back its worker to wait for the approval, started
    // again when the answer resumed it.
    expect(ofType(events, "log").filter((e) => e.message.startsWith('MCP server "fixture" started')).map((e) => e.message)).toEqual([
      'MCP server "fixture" started: mcp__fixture__echo, mcp__fixture__write_note, mcp__fixture__slow, mcp__fixture__fail',
      'MCP server "fixture" started: mcp__fixture__echo, mcp__fixture__write_note, mcp__fixture__slow, mcp__fixture__fail',
    ]);
    // The system prompt names the server and says what its tools are.
    const system = JSON.stringify(h.fake.requests[first]!.body.system);
    expect(system).toContain("belong to the repository's MCP servers (`fixture`)");
  });

  it("runs without asking when an allow rule matches its name, and its writes land in the diff", async () => {
    const { events } = await h.run(
      [turn.tool("mcp__fixture__write_note", { name: "note.md", text: "written by MCP\n" }, { id: "t_note" }), turn.text("Noted.")],
      { mcpServers: [fixtureServer()], approvalMode: "all", approvalRules: { allow: ["mcp__fixture__*"], ask: [], deny: [] } },
    );
    expect(ofType(events, "input.requested")).toEqual([]);
    expect(ofType(events, "tool.finished")).toEqual([expect.objectContaining({ callId: "t_note", ok: true })]);
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    expect(ofType(events, "diff.ready")[0]!.files).toEqual([expect.objectContaining({ path: "note.md", status: "added" })]);
  });

  it("is blocked by a deny rule: nothing runs, nobody is asked, the model is told", async () => {
    const { events } = await h.run(
      [turn.tool("mcp__fixture__write_note", { name: "x.md", text: "no" }, { id: "t_denied" }), turn.text("Understood.")],
      { mcpServers: [fixtureServer()], approvalRules: { allow: ["mcp__fixture__*"], ask: [], deny: ["mcp__fixture__write_note"] } },
    );
    expect(ofType(events, "input.requested")).toEqual([]);
    expect(ofType(events, "tool.finished")).toEqual([expect.objectContaining({ callId: "t_denied", ok: false })]);
    expect(resultSent("t_denied")).toMatchObject({ is_error: true, content: expect.stringContaining("Blocked by the run's approval policy") });
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
  });

  it("tells the model of a denial with the person's note", async () => {
    const payload = await h.submit([turn.tool("mcp__fixture__echo", { text: "x" }, { id: "t_no" }), turn.text("OK.")], { mcpServers: [fixtureServer()] });
    const request = await waitForRequest(h.log, payload.runId);
    await answerRequest(h.log, payload.runId, request.requestId, { decision: "deny", note: "not this server today" });
    const events = await waitForEvents(h.log, payload.runId, hasEnded);
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    expect(resultSent("t_no")).toMatchObject({ is_error: true, content: "The user denied this action: not this server today Nothing ran." });
  });

  it("goes on without a server that fails to start, with a warning naming it and its stderr", async () => {
    const first = h.fake.requests.length;
    const { events } = await h.run(
      [turn.tool("mcp__broken__echo", { text: "x" }, { id: "t_gone" }), turn.text("The server is not there; done.")],
      { mcpServers: [fixtureServer({ name: "broken", failStart: "missing configuration file" })] },
    );
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    expect(warnings(events)).toEqual([expect.stringMatching(/^MCP server "broken" did not start: .*exit code 3.*missing configuration file.*The run goes on without it\.$/s)]);
    // Its tools are not offered, and a call to one asks nobody and is unknown.
    expect(h.fake.requests[first]!.body.tools!.some((t) => t.name.startsWith("mcp__"))).toBe(false);
    expect(ofType(events, "input.requested")).toEqual([]);
    expect(sentText("t_gone")).toMatch(/^unknown tool "mcp__broken__echo"/);
  });

  it("stops the server when the run is cancelled during a call", async () => {
    const tag = fixtureTag();
    const payload = await h.submit([turn.tool("mcp__fixture__slow", { ms: 120_000 }, { id: "t_slow" }), turn.text("never")], {
      mcpServers: [fixtureServer({ tag })],
      approvalRules: { allow: ["mcp__fixture__slow"], ask: [], deny: [] },
    });
    await waitForEvents(h.log, payload.runId, hasType("tool.started"));
    expect(fixtureProcesses(tag).length).toBeGreaterThan(0);
    await requestCancel(h.log, payload.runId, "user-1");
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 10_000);
    expect(lastEvent(events)).toMatchObject({ type: "run.cancelled" });
    expect(fixtureProcesses(tag)).toEqual([]);
  });

  it("stops the server when the run ends", async () => {
    const tag = fixtureTag();
    const { events } = await h.run([turn.text("Nothing to do.")], { mcpServers: [fixtureServer({ tag })] });
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    expect(fixtureProcesses(tag)).toEqual([]);
  });

  it("is never run again after a crash: its effects are the server's, so it is reported as interrupted", () => {
    expect(changesNothing({ name: "mcp__fixture__echo", input: { text: "x" } })).toBe(false);
    expect(changesNothing({ name: "read_file", input: { path: "a.txt" } })).toBe(true);
  });
});
