import type { McpCapabilities, McpServer } from "@agentclientprotocol/sdk/unstable";
import type { McpServerSpec } from "../../../lib/contracts/executorSpecs";
import { mcpServerLaunch } from "../../mcp/serverLaunch";
import type { SandboxSettings, SandboxSpec } from "../../sandbox/spec";

/** The repository's MCP servers as the agent will get them, prepared before it starts. */
export type PreparedMcpServers = {
  stdio: McpServer[];
  http: Extract<McpServerSpec, { transport: "http" }>[];
  /** What the agent's sandbox must show read-only so that it can start the stdio servers. */
  readOnlyPaths: string[];
  /** Servers left out, and why. */
  warnings: string[];
};

/**
 * The agent starts stdio MCP servers itself, inside its own sandbox (an ACP agent cannot be
 * given servers running elsewhere): each is resolved as our own loop resolves it
 * (jobs/mcp/serverLaunch.ts: its program's and script's folders shown read-only, never
 * AgentDesk's data), and those folders go into the agent's sandbox. Variables a server lists
 * are read from the job process's environment; a server missing one is left out.
 */
export function prepareMcpServers(
  servers: readonly McpServerSpec[],
  run: SandboxSpec,
  env: Record<string, string | undefined>,
  settings: Pick<SandboxSettings, "mode" | "dataDir"> | undefined,
): PreparedMcpServers {
  const prepared: PreparedMcpServers = { stdio: [], http: [], readOnlyPaths: [], warnings: [] };
  for (const server of servers) {
    const missing = server.envNames.filter((name) => !env[name]);
    if (missing.length > 0) {
      prepared.warnings.push(`MCP server ${server.name} left out: ${missing.join(", ")} not set on the job process`);
      continue;
    }
    if (server.transport === "http") {
      prepared.http.push(server);
      continue;
    }
    const launch = mcpServerLaunch(server, run, env, settings);
    if ("error" in launch) {
      prepared.warnings.push(`MCP server ${server.name} left out: ${launch.error}`);
      continue;
    }
    for (const p of launch.sandbox.readOnlyPaths) if (!run.readOnlyPaths.includes(p) && !prepared.readOnlyPaths.includes(p)) prepared.readOnlyPaths.push(p);
    prepared.stdio.push({ name: server.name, command: launch.program, args: launch.args, env: Object.entries(launch.env).map(([name, value]) => ({ name, value })) });
  }
  return prepared;
}

/**
 * The servers in ACP's shape for `session/new`: the stdio ones, and HTTP ones when the agent
 * says it takes them (the first named variable as a bearer token). The agent reaches an HTTP
 * server from inside the sandbox, so its host must be among the repository's network hosts.
 */
export function acpMcpServers(prepared: PreparedMcpServers, env: Record<string, string | undefined>, capabilities: McpCapabilities | undefined, warn: (message: string) => void): McpServer[] {
  const out = [...prepared.stdio];
  for (const server of prepared.http) {
    if (!capabilities?.http) {
      warn(`MCP server ${server.name} left out: this agent does not take HTTP MCP servers`);
      continue;
    }
    const token = server.envNames[0] ? env[server.envNames[0]] : undefined;
    out.push({ type: "http", name: server.name, url: server.url, headers: token ? [{ name: "Authorization", value: `Bearer ${token}` }] : [] });
  }
  return out;
}
