import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunEmit } from "../../jobs/executors/types";
import { mcpServerLaunch } from "../../jobs/mcp/serverLaunch";
import { startMcpServers, type McpToolbox } from "../../jobs/mcp/toolbox";
import { SANDBOX_UID } from "../../jobs/sandbox/bwrapArgs";
import type { SandboxSettings } from "../../jobs/sandbox/spec";
import type { EventBodyInput } from "../../lib/events";
import { fixtureProcesses, fixtureServer, fixtureTag, startFixtureHttpServer, FIXTURE_SERVER_SCRIPT } from "../support/mcpFixture";

/**
 * The MCP client on its own: the test server (tests/support/mcpFixture) started in a real
 * bubblewrap sandbox, over stdio, and over Streamable HTTP from the job process. The agent
 * loop's use of it (approval, feed, model) is in mcpAgent.test.ts.
 */
let workspace: string;
let events: EventBodyInput[];
let toolbox: McpToolbox | undefined;
const emit: RunEmit = async (body) => void events.push(body);
const logs = (level: "info" | "warn") => events.flatMap((e) => (e.type === "log" && e.level === level ? [e.message] : []));

beforeEach(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-mcp-ws-"));
  events = [];
});
afterEach(async () => {
  await toolbox?.close();
  toolbox = undefined;
  await fs.rm(workspace, { recursive: true, force: true });
});

const start = (
  specs: Parameters<typeof startMcpServers>[0],
  options: { env?: Record<string, string>; signal?: AbortSignal; secrets?: string[]; settings?: SandboxSettings } = {},
) =>
  startMcpServers(specs, {
    settings: options.settings,
    sandbox: { workspace, readOnlyPaths: [], networkHosts: [] },
    emit,
    signal: options.signal ?? new AbortController().signal,
    secrets: options.secrets ?? [],
    env: { ...process.env, ANTHROPIC_API_KEY: "sk-ant-job-process-secret", ...options.env },
  });
const json = (output: string) => JSON.parse(output) as Record<string, unknown>;

describe("a stdio MCP server in the run's sandbox", () => {
  it("offers its tools as mcp__<server>__<tool> with their schemas, and runs as the sandbox's user, in the workspace, without the job's secrets", async () => {
    toolbox = await start([fixtureServer({ envNames: ["FIXTURE_TOKEN", "FIXTURE_UNSET"] })], { env: { FIXTURE_TOKEN: "tok-123456789" } });
    expect(toolbox.definitions().map((d) => d.name)).toEqual(["mcp__fixture__echo", "mcp__fixture__write_note", "mcp__fixture__slow", "mcp__fixture__fail"]);
    expect(toolbox.definitions()[0]).toMatchObject({
      description: expect.stringContaining('[MCP server "fixture"] Returns its input'),
      input_schema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
    });
    expect(toolbox.definitions()[0]!.input_schema).not.toHaveProperty("$schema");
    expect(logs("info")).toContain('MCP server "fixture" started: mcp__fixture__echo, mcp__fixture__write_note, mcp__fixture__slow, mcp__fixture__fail');
    expect(logs("warn")).toEqual(['MCP server "fixture": FIXTURE_UNSET not set on the job process; it starts without it']);

    const echoed = await toolbox.call("mcp__fixture__echo", { text: "hi", envVar: "ANTHROPIC_API_KEY" }, new AbortController().signal);
    expect(echoed.ok).toBe(true);
    const facts = json(echoed.output);
    expect(facts).toMatchObject({ echo: "hi", uid: SANDBOX_UID, cwd: workspace, envVarSet: false, hostname: "agentdesk-sandbox" });
    // Exactly the allow-list plus what it was given (bwrap sets PWD).
    expect(facts.envNames).toEqual(["CI", "FIXTURE_TOKEN", "HOME", "LANG", "PATH", "PWD", "TERM", "TZ"]);
    // Its own variable reaches it; its value is masked in what comes back.
    const own = await toolbox.call("mcp__fixture__echo", { text: "tok-123456789" }, new AbortController().signal);
    expect(own.output).not.toContain("tok-123456789");
    expect(json(own.output).echo).toBe("***");
  });

  it("with SANDBOX=off, still starts in the workspace with the allow-listed environment, and stops with its process group", async () => {
    const tag = fixtureTag();
    toolbox = await start([fixtureServer({ tag })], { settings: { mode: "off", allowPrivateNetwork: true } });
    const facts = json((await toolbox.call("mcp__fixture__echo", { text: "off" }, new AbortController().signal)).output);
    expect(facts).toMatchObject({ echo: "off", uid: process.getuid!(), cwd: workspace });
    expect(facts.envNames).not.toContain("ANTHROPIC_API_KEY");
    expect(facts.envNames).not.toContain("REDIS_URL");
    await toolbox.close();
    expect(fixtureProcesses(tag)).toEqual([]);
  });

  it("writes only where the sandbox lets it: the workspace", async () => {
    toolbox = await start([fixtureServer()]);
    const wrote = await toolbox.call("mcp__fixture__write_note", { name: "note.txt", text: "from mcp\n" }, new AbortController().signal);
    expect(wrote).toEqual({ ok: true, output: `wrote ${path.join(workspace, "note.txt")}` });
    expect(await fs.readFile(path.join(workspace, "note.txt"), "utf8")).toBe("from mcp\n");
    const outside = await toolbox.call("mcp__fixture__write_note", { name: FIXTURE_SERVER_SCRIPT, text: "overwritten" }, new AbortController().signal);
    expect(outside.ok).toBe(false);
    expect(outside.output).toMatch(/read-only file system|EROFS/i);
    expect(await fs.readFile(FIXTURE_SERVER_SCRIPT, "utf8")).toContain("A real MCP server for the tests");
  });

  it("gives an error result, a failing call and a bad input back to the model as failed results", async () => {
    toolbox = await start([fixtureServer()]);
    const signal = new AbortController().signal;
    expect(await toolbox.call("mcp__fixture__fail", { message: "no such issue" }, signal)).toEqual({ ok: false, output: "no such issue" });
    const invalid = await toolbox.call("mcp__fixture__echo", { text: 42 }, signal);
    expect(invalid.ok).toBe(false);
    expect(invalid.output).toMatch(/text/);
    expect(await toolbox.call("mcp__fixture__echo", ["not", "an", "object"], signal)).toEqual({
      ok: false,
      output: "invalid input for mcp__fixture__echo: it must be a JSON object",
    });
  });

  it("skips tools whose names are not valid, with a warning, and offers the rest", async () => {
    toolbox = await start([fixtureServer({ badToolNames: true })]);
    expect(toolbox.definitions().map((d) => d.name)).toEqual(["mcp__fixture__echo", "mcp__fixture__write_note", "mcp__fixture__slow", "mcp__fixture__fail"]);
    const [warning] = logs("warn");
    expect(warning).toMatch(/^MCP server "fixture": 4 of its tools are not offered: /);
    expect(warning).toContain('tool "has space": the name may only hold letters');
    expect(warning).toContain('tool "new\\nline"');
    expect(warning).toContain("at most 64");
  });

  it("reports a server that fails to start, with its stderr, and starts the others", async () => {
    toolbox = await start([fixtureServer({ name: "broken", failStart: "cannot reach the issue tracker" }), fixtureServer()]);
    expect(toolbox.definitions().map((d) => d.name)).toContain("mcp__fixture__echo");
    expect(toolbox.has("mcp__broken__echo")).toBe(false);
    const [warning] = logs("warn");
    expect(warning).toMatch(/^MCP server "broken" did not start: .*exit code 3.*fixture MCP server: cannot reach the issue tracker.*The run goes on without it\.$/s);
  });

  it("masks what the server was given in the warning about its failure", async () => {
    toolbox = await start([fixtureServer({ name: "leaky", failStart: "bad token $LEAKY_TOKEN", envNames: ["LEAKY_TOKEN"] })], {
      env: { LEAKY_TOKEN: "leaky-secret-value-42" },
    });
    const [warning] = logs("warn");
    expect(warning).toContain("bad token ***");
    expect(warning).not.toContain("leaky-secret-value-42");
  });

  it("starts a server name once: tool names stay unique", async () => {
    toolbox = await start([fixtureServer(), fixtureServer({ failStart: "the second one" })]);
    expect(toolbox.definitions().filter((d) => d.name === "mcp__fixture__echo")).toHaveLength(1);
    expect(logs("warn")).toEqual(['MCP server "fixture" is configured twice; only the first one starts']);
  });

  it("reports a program that is not there", async () => {
    toolbox = await start([{ name: "missing", transport: "stdio", command: "no-such-mcp-server", args: [], envNames: [] }]);
    expect(toolbox.tools).toEqual([]);
    expect(logs("warn")).toEqual([expect.stringMatching(/^MCP server "missing" did not start: "no-such-mcp-server" is not installed/)]);
  });

  it("stops the server and everything in its sandbox on close, and on the run's cancel", async () => {
    const tag = fixtureTag();
    toolbox = await start([fixtureServer({ tag })]);
    expect(fixtureProcesses(tag).length).toBeGreaterThan(0);
    await toolbox.close();
    expect(fixtureProcesses(tag)).toEqual([]);

    const cancel = new AbortController();
    const other = fixtureTag();
    toolbox = await start([fixtureServer({ tag: other })], { signal: cancel.signal });
    const call = toolbox.call("mcp__fixture__slow", { ms: 60_000 }, cancel.signal);
    await new Promise((resolve) => setTimeout(resolve, 200));
    cancel.abort(new Error("cancelled"));
    await expect(call).rejects.toThrow();
    await expect.poll(() => fixtureProcesses(other), { timeout: 5_000 }).toEqual([]);
  });

  it("shows the server only its own files (its script's folder and node_modules, read-only, never DATA_DIR) and never the model gateway", () => {
    // The sandbox of an executor whose agent calls the model: its MCP servers do not get the gateway.
    const run = { workspace, readOnlyPaths: [], networkHosts: ["example.com"], modelAccess: { upstreamUrl: "http://127.0.0.1:9", apiKey: "sk-ant-x" } };
    const launch = mcpServerLaunch(fixtureServer(), run, {}, { mode: "on", dataDir: "/nonexistent-data" });
    expect(launch).toMatchObject({ program: "/usr/bin/node", sandbox: { workspace, networkHosts: ["example.com"] } });
    if ("error" in launch) throw new Error(launch.error);
    expect(launch.sandbox).not.toHaveProperty("modelAccess");
    expect(launch.sandbox.readOnlyPaths).toContain(path.dirname(FIXTURE_SERVER_SCRIPT));
    expect(launch.sandbox.readOnlyPaths.some((p) => p.endsWith("/node_modules"))).toBe(true);
    expect(run.readOnlyPaths).toEqual([]);

    const nearData = mcpServerLaunch(fixtureServer(), run, {}, { mode: "on", dataDir: path.dirname(FIXTURE_SERVER_SCRIPT) });
    expect(nearData).toEqual({ error: expect.stringContaining("holds AgentDesk's data (DATA_DIR)") });
  });
});

describe("an HTTP MCP server", () => {
  it("connects from the job process with the first variable as a Bearer token, masked in results", async () => {
    const server = await startFixtureHttpServer({ token: "http-token-abcdef" });
    try {
      toolbox = await start([{ name: "remote", transport: "http", url: server.url, envNames: ["REMOTE_TOKEN"] }], { env: { REMOTE_TOKEN: "http-token-abcdef" } });
      expect(toolbox.has("mcp__remote__echo")).toBe(true);
      const echoed = await toolbox.call("mcp__remote__echo", { text: "say http-token-abcdef" }, new AbortController().signal);
      expect(echoed).toMatchObject({ ok: true });
      expect(json(echoed.output).echo).toBe("say ***");
    } finally {
      await toolbox?.close();
      await server.close();
    }
  });

  it("warns and goes on when the server refuses the token", async () => {
    const server = await startFixtureHttpServer({ token: "right-token-123" });
    try {
      toolbox = await start([{ name: "remote", transport: "http", url: server.url, envNames: ["REMOTE_TOKEN"] }], { env: { REMOTE_TOKEN: "wrong-token-456" } });
      expect(toolbox.tools).toEqual([]);
      const [warning] = logs("warn");
      expect(warning).toMatch(/^MCP server "remote" did not start: .*unauthorized/);
      expect(warning).not.toContain("wrong-token-456");
    } finally {
      await server.close();
    }
  });
});
