import type { McpServerConfig } from "@anthropic-ai/claude-agent-sdk";
import type { McpServerSpec } from "../../../lib/contracts/executorSpecs";
import { hostAllowed } from "../../../lib/networkHosts";
import type { SandboxSettings, SandboxSpec } from "../../sandbox/spec";
import { prepareMcpServers } from "../acp/mcpServers";

export type ClaudeCodeMcpServers = {
  /** The SDK's `mcpServers`: Claude Code starts the stdio ones inside its own sandbox. */
  servers: Record<string, McpServerConfig>;
  /** What the sandbox must show read-only for the stdio servers to start. */
  readOnlyPaths: string[];
  /** Servers left out, and why (for the feed). */
  warnings: string[];
};

/**
 * The repository's MCP servers for Claude Code. Stdio servers are resolved as for every executor
 * (jobs/mcp/serverLaunch.ts, via the ACP executor's preparation: their folders read-only, their
 * variables from the job process) and run inside the CLI's sandbox; an HTTP server is reached
 * from inside the sandbox, through the filtering proxy, so it is left out unless its host is on
 * the repository's network allow-list. Their tools reach the model as `mcp__<server>__<tool>`
 * and pass the approval gate as MCP tools (ask, unless a rule allows). The configuration, with
 * its variables and tokens, reaches the CLI in a private file (sandboxedProcess.ts), never on a
 * command line.
 */
export function claudeCodeMcpServers(
  specs: readonly McpServerSpec[],
  run: SandboxSpec,
  env: Record<string, string | undefined>,
  settings?: Pick<SandboxSettings, "mode" | "dataDir">,
): ClaudeCodeMcpServers {
  const prepared = prepareMcpServers(specs, run, env, settings);
  const servers: Record<string, McpServerConfig> = {};
  for (const server of prepared.stdio) {
    if (!("command" in server)) continue;
    servers[server.name] = {
      type: "stdio",
      command: server.command,
      args: server.args,
      env: Object.fromEntries(server.env.map((v) => [v.name, v.value])),
    };
  }
  const warnings = [...prepared.warnings];
  for (const server of prepared.http) {
    const url = new URL(server.url);
    const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    if (!hostAllowed(run.networkHosts, url.hostname, port)) {
      warnings.push(`MCP server ${server.name} left out: Claude Code reaches it from the sandbox, and ${url.host} is not on the repository's network allow-list`);
      continue;
    }
    const token = server.envNames[0] ? env[server.envNames[0]] : undefined;
    servers[server.name] = { type: "http", url: server.url, ...(token ? { headers: { Authorization: `Bearer ${token}` } } : {}) };
  }
  return { servers, readOnlyPaths: prepared.readOnlyPaths, warnings };
}
