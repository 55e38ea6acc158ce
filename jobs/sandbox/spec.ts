import { getConfig } from "../../lib/config";
import type { ModelAccess } from "./modelGateway";

/**
 * What one run's sandbox lets its processes see and reach. Built by the pipeline
 * (jobs/runJob.ts) from the run's workspace and job payload; every executor, the agent's shell
 * tool and any future agent, MCP server or setup script gets the same one.
 */
export type SandboxSpec = {
  /** Absolute path of the run's workspace: the only writable place, bound at the same path. */
  workspace: string;
  /**
   * Where the sandbox's processes see the workspace (absolute), when not at its own path: an
   * agent whose session outlives one delivery (Claude Code resuming after a crash or a review)
   * then works in the same folder every time, though each delivery has its own attempt folder.
   * Ignored with SANDBOX=off. OpenSandbox.workspace says where it is.
   */
  workspaceView?: string;
  /**
   * Absolute paths bound read-only at the same path (e.g. the object store a run's repository
   * borrows from). Bound after the workspace, so one inside it stays read-only.
   */
  readOnlyPaths: string[];
  /** Hosts (`name` or `name:port`) reachable through the filtering proxy; empty: no network. */
  networkHosts: string[];
  /**
   * Set for a sandbox whose program calls the model itself (Claude Code, an ACP agent): the job
   * process runs a model gateway for it (jobs/sandbox/modelGateway.ts), and the program gets
   * the gateway's address and a per-sandbox token (OpenSandbox.model), never this key.
   */
  modelAccess?: ModelAccess;
};

/** How this job process sandboxes, the same for all its runs (from its configuration). */
export type SandboxSettings = {
  /** "off" only by the operator's explicit SANDBOX=off: commands then run unsandboxed. */
  mode: "on" | "off";
  /** ALLOW_LOCAL_REPOS: the proxy may connect to loopback and private addresses. */
  allowPrivateNetwork: boolean;
  /** DATA_DIR: hidden inside even should it lie in a folder the sandbox shows (e.g. under /usr). */
  dataDir?: string;
};

export function sandboxSettings(): SandboxSettings {
  const config = getConfig();
  return { mode: config.sandbox, allowPrivateNetwork: config.allowLocalRepos, dataDir: config.dataDir };
}
