import { realpathSync, statSync } from "node:fs";
import path from "node:path";
import type { McpServerSpec } from "../../lib/contracts/executorSpecs";
import { resolveAgentCommand } from "../executors/acp/agentCommand";
import { SYSTEM_DIRS, isInside } from "../sandbox/bwrapArgs";
import { sandboxSettings, type SandboxSettings, type SandboxSpec } from "../sandbox/spec";

export type StdioServerSpec = Extract<McpServerSpec, { transport: "stdio" }>;

/** How to start one stdio MCP server in the run's sandbox. */
export type McpServerLaunch = {
  /** The program's absolute path, valid inside the sandbox. */
  program: string;
  args: string[];
  /**
   * The run's sandbox plus what this server needs to see read-only: its program's folder,
   * the folders of files named in its arguments (a script), AgentDesk's node_modules (node
   * servers import from it). For this server only: the agent's shell does not see them. Never
   * the model gateway of a sandbox that has one.
   */
  sandbox: SandboxSpec;
  /** The values of the server's `envNames` that are set on the job process. */
  env: Record<string, string>;
  /** Its `envNames` that are not set on the job process (it starts without them). */
  missingEnv: string[];
};

/**
 * What one stdio MCP server needs to start inside the run's sandbox, or why it cannot. The spec
 * comes from an admin (the repository's MCP servers, never the repository's files), so the paths
 * it names are shown to the server, read-only; never a folder that holds AgentDesk's data.
 */
export function mcpServerLaunch(
  spec: StdioServerSpec,
  run: SandboxSpec,
  env: Record<string, string | undefined> = process.env,
  settings: Pick<SandboxSettings, "mode" | "dataDir"> = sandboxSettings(),
): McpServerLaunch | { error: string } {
  const resolved = resolveAgentCommand(spec.command, settings);
  if ("error" in resolved) return resolved;
  const readOnly = [...run.readOnlyPaths];
  const shown = (p: string) => SYSTEM_DIRS.some((dir) => isInside(p, dir)) || isInside(p, run.workspace) || readOnly.some((dir) => isInside(p, dir));
  const show = (folder: string): string | null => {
    if (settings.dataDir && (isInside(settings.dataDir, folder) || isInside(folder, settings.dataDir))) {
      return `${folder} holds AgentDesk's data (DATA_DIR) and is never shown to an MCP server`;
    }
    // A folder holding the workspace would cover it read-only; the server sees the workspace anyway.
    if (!shown(folder) && !isInside(run.workspace, folder)) readOnly.push(folder);
    return null;
  };
  for (const folder of resolved.readOnlyPaths) {
    const refused = show(folder);
    if (refused) return { error: refused };
  }
  for (const arg of spec.args) {
    const folder = argumentFolder(arg);
    if (folder === null) continue;
    const refused = show(folder);
    if (refused) return { error: `argument ${arg}: ${refused}` };
  }
  const values: Record<string, string> = {};
  const missingEnv: string[] = [];
  for (const name of spec.envNames) {
    const value = env[name];
    if (value === undefined || value === "") missingEnv.push(name);
    else values[name] = value;
  }
  // The run's workspace and network, never its model gateway: a tool server does not call the model.
  const sandbox: SandboxSpec = {
    workspace: run.workspace,
    ...(run.workspaceView ? { workspaceView: run.workspaceView } : {}),
    readOnlyPaths: readOnly,
    networkHosts: run.networkHosts,
  };
  return { program: resolved.program, args: spec.args, sandbox, env: values, missingEnv };
}

/**
 * The folder an argument makes the server need: for an absolute path to an existing file (a
 * script), its folder; for an existing folder, itself; null for anything else (flags, names,
 * URLs, paths that do not exist on the job process).
 */
function argumentFolder(arg: string): string | null {
  if (!path.isAbsolute(arg)) return null;
  try {
    const real = realpathSync(arg);
    return statSync(real).isDirectory() ? real : path.dirname(real);
  } catch {
    return null;
  }
}
