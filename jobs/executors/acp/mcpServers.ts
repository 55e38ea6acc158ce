import type { McpCapabilities, McpServer } from "@agentclientprotocol/sdk/unstable";
import type { McpServerSpec } from "../../../lib/contracts/executorSpecs";

/**
 * The repository's MCP servers in ACP's shape, for `session/new`: the agent starts stdio
 * servers itself, inside its sandbox (so their program must be visible there); HTTP servers
 * only when the agent says it can, with the first named variable as a bearer token. A
 * server's variables are read from the job process's environment; a server whose variable is
 * missing, or that the agent cannot take, is left out with a warning.
 */
export function acpMcpServers(
  servers: readonly McpServerSpec[],
  env: Record<string, string | undefined>,
  capabilities: McpCapabilities | undefined,
  warn: (message: string) => void,
): McpServer[] {
  const out: McpServer[] = [];
  for (const server of servers) {
    const missing = server.envNames.filter((name) => !env[name]);
    if (missing.length > 0) {
      warn(`MCP server ${server.name} left out: ${missing.join(", ")} not set on the job process`);
      continue;
    }
    if (server.transport === "stdio") {
      out.push({ name: server.name, command: server.command, args: server.args, env: server.envNames.map((name) => ({ name, value: env[name]! })) });
      continue;
    }
    if (!capabilities?.http) {
      warn(`MCP server ${server.name} left out: this agent does not take HTTP MCP servers`);
      continue;
    }
    const token = server.envNames[0] ? env[server.envNames[0]] : undefined;
    out.push({ type: "http", name: server.name, url: server.url, headers: token ? [{ name: "Authorization", value: `Bearer ${token}` }] : [] });
  }
  return out;
}
