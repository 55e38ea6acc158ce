import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import type { McpServerSpec } from "../../lib/contracts/executorSpecs";
import type { ToolDefinition, ToolResult } from "../agent/tools/types";
import { errorMessage } from "../errors";
import type { RunEmit } from "../executors/types";
import { openSandbox } from "../sandbox/sandbox";
import { sandboxSettings, type SandboxSettings, type SandboxSpec } from "../sandbox/spec";
import { maskSecrets } from "../secrets";
import { MAX_TOOLS_PER_SERVER, mcpResultText, mcpToolOf, type McpTool } from "./mcpTools";
import { mcpServerLaunch } from "./serverLaunch";
import { SandboxedStdioTransport } from "./stdioTransport";

/** Connecting and listing its tools; a server slower than this is left out of the run. */
export const MCP_START_TIMEOUT_MS = 30_000;
/** One tool call (progress notifications from the server restart the clock). */
export const MCP_CALL_TIMEOUT_MS = 10 * 60_000;
const MAX_LIST_PAGES = 10;

/**
 * The run's MCP servers, started for one executor's run and stopped when it ends: their tools
 * as the model sees them, and calls to them. A server that cannot start is reported in the feed
 * (a warning naming it, with the end of its stderr) and the run goes on without it.
 */
export type McpToolbox = {
  readonly tools: readonly McpTool[];
  definitions(): ToolDefinition[];
  has(name: string): boolean;
  /**
   * Calls a tool by its run name (`mcp__<server>__<tool>`). Failures of the server or the call
   * are results for the model (`ok:false`); only a stop of the run (`signal`) throws. Masked.
   */
  call(name: string, input: unknown, signal: AbortSignal): Promise<ToolResult>;
  /** Stops every server (idempotent). */
  close(): Promise<void>;
};

export type McpStartContext = {
  /** The run's sandbox: stdio servers run in it (with their own read-only paths added). */
  sandbox: SandboxSpec;
  emit: RunEmit;
  signal: AbortSignal;
  secrets: readonly string[];
  env?: Record<string, string | undefined>;
  settings?: SandboxSettings;
  startTimeoutMs?: number;
  callTimeoutMs?: number;
};

type Connection = {
  server: string;
  client: Client;
  /** Values this server got from the job process's environment: masked in what it returns. */
  secrets: string[];
  /** Why the server went away, when it did (its exit and stderr). */
  gone(): string | null;
  close(): Promise<void>;
};

export async function startMcpServers(specs: readonly McpServerSpec[], ctx: McpStartContext): Promise<McpToolbox> {
  // Settled, not raced: when one start throws (the run was stopped), the others are closed too.
  const unique = specs.filter((spec, i) => specs.findIndex((other) => other.name === spec.name) === i);
  for (const spec of specs.filter((spec) => !unique.includes(spec))) {
    await ctx.emit({ type: "log", level: "warn", message: `MCP server "${spec.name}" is configured twice; only the first one starts` });
  }
  const settled = await Promise.allSettled(unique.map((spec) => startServer(spec, ctx)));
  const connections = settled.flatMap((r) => (r.status === "fulfilled" && r.value !== null ? [r.value] : []));
  const thrown = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (thrown || ctx.signal.aborted) {
    await Promise.all(connections.map((c) => c.connection.close()));
    ctx.signal.throwIfAborted();
    throw thrown!.reason;
  }
  const tools = connections.flatMap((c) => c.tools);
  const byName = new Map(tools.map((t) => [t.definition.name, { tool: t, connection: connections.find((c) => c.connection.server === t.server)!.connection }]));
  const callTimeoutMs = ctx.callTimeoutMs ?? MCP_CALL_TIMEOUT_MS;

  let closing: Promise<void> | undefined;
  const onAbort = () => void close();
  const close = () => {
    ctx.signal.removeEventListener("abort", onAbort);
    return (closing ??= Promise.all(connections.map((c) => c.connection.close())).then(() => {}));
  };
  // A cancelled run's servers stop now, not when the loop gets round to it.
  ctx.signal.addEventListener("abort", onAbort, { once: true });

  return {
    tools,
    definitions: () => tools.map((t) => t.definition),
    has: (name) => byName.has(name),
    close,
    async call(name, input, signal) {
      const entry = byName.get(name);
      if (!entry) return { ok: false, output: `unknown MCP tool "${name}"` };
      const { tool, connection } = entry;
      if (typeof input !== "object" || input === null || Array.isArray(input)) {
        return { ok: false, output: `invalid input for ${name}: it must be a JSON object` };
      }
      const mask = (text: string) => maskSecrets(text, [...connection.secrets, ...ctx.secrets]);
      try {
        const result = await connection.client.callTool({ name: tool.tool, arguments: input as Record<string, unknown> }, undefined, {
          signal,
          timeout: callTimeoutMs,
          resetTimeoutOnProgress: true,
        });
        const outcome = "content" in result ? mcpResultText(result as CallToolResult) : { ok: true, output: JSON.stringify(result.toolResult) };
        return { ...outcome, output: mask(outcome.output) };
      } catch (e) {
        signal.throwIfAborted();
        const gone = connection.gone();
        return { ok: false, output: mask(`the MCP server "${tool.server}" failed: ${errorMessage(e)}${gone ? `; ${gone}` : ""}`) };
      }
    },
  };
}

/** One server connected and its tools listed, or null (a warning in the feed says why). */
async function startServer(spec: McpServerSpec, ctx: McpStartContext): Promise<{ connection: Connection; tools: McpTool[] } | null> {
  const warn = (message: string, secrets: readonly string[] = []) =>
    ctx.emit({ type: "log", level: "warn", message: maskSecrets(message, secrets) });
  let connection: Connection | null = null;
  try {
    connection = spec.transport === "stdio" ? await connectStdio(spec, ctx, warn) : await connectHttp(spec, ctx, warn);
    if (connection === null) return null;
    const listed = await listTools(connection.client, ctx.startTimeoutMs ?? MCP_START_TIMEOUT_MS, ctx.signal);
    const tools: McpTool[] = [];
    const skipped: string[] = [];
    for (const tool of listed) {
      const offered = mcpToolOf(spec.name, tool);
      if ("skipped" in offered) skipped.push(offered.skipped);
      else if (tools.some((t) => t.definition.name === offered.definition.name)) skipped.push(`tool "${tool.name}": listed twice`);
      else if (tools.length >= MAX_TOOLS_PER_SERVER) skipped.push(`tool "${tool.name}": more than ${MAX_TOOLS_PER_SERVER} tools`);
      else tools.push(offered);
    }
    if (skipped.length > 0) await warn(`MCP server "${spec.name}": ${skipped.length} of its tools are not offered: ${skipped.join("; ")}`, connection.secrets);
    await ctx.emit({
      type: "log",
      level: "info",
      message: `MCP server "${spec.name}" started: ${tools.length ? tools.map((t) => t.definition.name).join(", ") : "no tools"}`,
    });
    return { connection, tools };
  } catch (e) {
    await connection?.close();
    // The run was stopped while its servers started: not the server's fault.
    ctx.signal.throwIfAborted();
    const gone = connection?.gone();
    await warn(`MCP server "${spec.name}" did not start: ${errorMessage(e)}${gone ? `; ${gone}` : ""}. The run goes on without it.`, connection?.secrets);
    return null;
  }
}

type Warn = (message: string, secrets?: readonly string[]) => Promise<void>;

async function connectStdio(spec: Extract<McpServerSpec, { transport: "stdio" }>, ctx: McpStartContext, warn: Warn): Promise<Connection | null> {
  const settings = ctx.settings ?? sandboxSettings();
  const launch = mcpServerLaunch(spec, ctx.sandbox, ctx.env ?? process.env, settings);
  if ("error" in launch) {
    await warn(`MCP server "${spec.name}" did not start: ${launch.error}. The run goes on without it.`);
    return null;
  }
  if (launch.missingEnv.length > 0) {
    await warn(`MCP server "${spec.name}": ${launch.missingEnv.join(", ")} not set on the job process; it starts without ${launch.missingEnv.length === 1 ? "it" : "them"}`);
  }
  const sandbox = await openSandbox(launch.sandbox, settings);
  const transport = new SandboxedStdioTransport(sandbox.command(launch.program, launch.args, { env: launch.env }));
  const secrets = Object.values(launch.env);
  const client = new Client({ name: "agentdesk", version: "1.0.0" }, { capabilities: {} });
  const connection: Connection = {
    server: spec.name,
    client,
    secrets,
    gone: () => {
      const exit = transport.exitDescription();
      if (exit === null) return null;
      const stderr = transport.stderrTail();
      return `its process ended (${exit})${stderr ? `; stderr: ${stderr}` : ", no stderr"}`;
    },
    close: async () => {
      await client.close().catch(() => {});
      await transport.close();
      await sandbox.close();
    },
  };
  try {
    await client.connect(transport, { timeout: ctx.startTimeoutMs ?? MCP_START_TIMEOUT_MS, signal: ctx.signal });
  } catch (e) {
    // Let the process's end (and its stderr) arrive: a server that dies at start says why there.
    await transport.settled(1_000);
    const gone = connection.gone();
    await connection.close();
    // Its stderr may hold what it was given (a token in an error message).
    throw new Error(maskSecrets(`${errorMessage(e)}${gone ? `; ${gone}` : `; stderr: ${transport.stderrTail() || "(none)"}`}`, secrets));
  }
  return connection;
}

async function connectHttp(spec: Extract<McpServerSpec, { transport: "http" }>, ctx: McpStartContext, warn: Warn): Promise<Connection> {
  const env = ctx.env ?? process.env;
  const tokenName = spec.envNames[0];
  const token = tokenName ? env[tokenName] : undefined;
  if (tokenName && !token) await warn(`MCP server "${spec.name}": ${tokenName} is not set on the job process; connecting without a token`);
  const transport = new StreamableHTTPClientTransport(new URL(spec.url), {
    requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : undefined,
    // The token must not follow a redirect to another origin.
    redirectPolicy: "same-origin",
  });
  const client = new Client({ name: "agentdesk", version: "1.0.0" }, { capabilities: {} });
  try {
    await client.connect(transport, { timeout: ctx.startTimeoutMs ?? MCP_START_TIMEOUT_MS, signal: ctx.signal });
  } catch (e) {
    await client.close().catch(() => {});
    throw new Error(maskSecrets(errorMessage(e), token ? [token] : []));
  }
  return {
    server: spec.name,
    client,
    secrets: token ? [token] : [],
    gone: () => null,
    close: async () => {
      // Ends the server's session (DELETE) where it keeps one; a server that is gone is fine.
      await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
    },
  };
}

async function listTools(client: Client, timeoutMs: number, signal: AbortSignal): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const result = await client.listTools(cursor ? { cursor } : {}, { timeout: timeoutMs, signal });
    tools.push(...result.tools);
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  return tools;
}
