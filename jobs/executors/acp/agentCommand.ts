import { accessSync, constants as fsConstants, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AcpAgentSpec } from "../../../lib/contracts/executorSpecs";
import { isInside } from "../../sandbox/bwrapArgs";
import { SANDBOX_PATH } from "../../sandbox/env";
import { sandboxSettings, type SandboxSettings } from "../../sandbox/spec";

/**
 * AgentDesk's own node_modules (real path): the bundled `claude-agent-acp` lives in its .bin,
 * and node-based agents need the packages beside it. Public code, no secret: agents see it
 * read-only.
 */
export const APP_NODE_MODULES = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidate = path.resolve(here, "../../../node_modules");
  try {
    return realpathSync(candidate);
  } catch {
    return candidate;
  }
})();

/** Variables an agent never gets, even when an admin lists them: the platform's own secrets. */
export const PLATFORM_ENV: readonly string[] = ["DATABASE_URL", "REDIS_URL", "AUTH_SECRET", "BETTER_AUTH_SECRET"];

/** Where an ACP agent's program is and what the sandbox must show read-only to start it. */
export type ResolvedAgentCommand = {
  /** Absolute path of the program, valid inside the sandbox (bound at the same path). */
  program: string;
  /** Host folders to bind read-only (always AgentDesk's node_modules, plus the program's folder). */
  readOnlyPaths: string[];
};

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// Folders the sandbox shows anyway (jobs/sandbox/bwrapArgs.ts binds the system read-only).
const SYSTEM_PREFIXES = ["/usr", "/bin", "/sbin", "/lib", "/lib64"];

/**
 * Finds the program of an ACP agent the way the sandbox will: an absolute path as it is (its
 * folder bound read-only, unless the system shows it already); a bare name on the sandbox's
 * PATH (the job process's own PATH with SANDBOX=off, as openSandbox does), then in AgentDesk's
 * node_modules/.bin. A folder holding DATA_DIR is never bound: the agent would read the database.
 */
export function resolveAgentCommand(
  command: string,
  settings: Pick<SandboxSettings, "mode" | "dataDir"> = sandboxSettings(),
  searchPath: string = settings.mode === "off" ? (process.env.PATH ?? SANDBOX_PATH) : SANDBOX_PATH,
): ResolvedAgentCommand | { error: string } {
  const base = [APP_NODE_MODULES];
  if (path.isAbsolute(command)) {
    if (!isExecutableFile(command)) return { error: `${command} is not an executable file on this job process` };
    const folder = path.dirname(command);
    if (settings.dataDir && (isInside(settings.dataDir, folder) || isInside(folder, settings.dataDir))) {
      return { error: `${command} lies in a folder that holds AgentDesk's data (DATA_DIR); install the agent elsewhere` };
    }
    const shown = SYSTEM_PREFIXES.some((prefix) => isInside(folder, prefix)) || isInside(folder, APP_NODE_MODULES);
    return { program: command, readOnlyPaths: shown ? base : [...base, folder] };
  }
  if (command.includes("/")) return { error: `"${command}" must be a bare program name or an absolute path` };
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir && path.isAbsolute(dir) && isExecutableFile(path.join(dir, command))) {
      return { program: path.join(dir, command), readOnlyPaths: base };
    }
  }
  const bundled = path.join(APP_NODE_MODULES, ".bin", command);
  if (isExecutableFile(bundled)) return { program: bundled, readOnlyPaths: base };
  return { error: `"${command}" is not installed (not on the sandbox's PATH nor in AgentDesk's node_modules/.bin)` };
}

/**
 * Whether this job process can start the ACP agent `spec`: its program is there and every
 * variable it is to receive is set. Null when it can, else why not, in words an admin can act
 * on. ANTHROPIC_API_KEY is needed on the job process even though the agent never sees it: the
 * model gateway (jobs/sandbox) holds it for the agent.
 */
export function acpAgentAvailability(
  spec: AcpAgentSpec,
  env: Record<string, string | undefined> = process.env,
  settings?: Pick<SandboxSettings, "mode" | "dataDir">,
): string | null {
  const resolved = resolveAgentCommand(spec.command, settings);
  if ("error" in resolved) return resolved.error;
  const platform = spec.envNames.filter((name) => PLATFORM_ENV.includes(name));
  if (platform.length > 0) return `${platform.join(", ")} may not be given to an agent: AgentDesk's own secrets`;
  const missing = spec.envNames.filter((name) => !env[name]);
  if (missing.length > 0) return `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set on the job process`;
  return null;
}
