import { spawn } from "node:child_process";
import { Readable, Writable } from "node:stream";
import { ndJsonStream, type Stream } from "@agentclientprotocol/sdk/unstable";
import type { AcpAgentSpec } from "../../../lib/contracts/executorSpecs";
import type { ModelAccess } from "../../sandbox/modelGateway";
import { openSandbox, type OpenSandbox } from "../../sandbox/sandbox";
import type { SandboxSettings, SandboxSpec } from "../../sandbox/spec";
import { lastBytes } from "../../output";
import { PLATFORM_ENV, resolveAgentCommand } from "./agentCommand";

/** A running ACP agent: its JSON-RPC stream on stdin/stdout, inside the run's sandbox. */
export type AgentProcess = {
  stream: Stream;
  /** Where the agent sees the run's workspace (its own path, or the sandbox's workspace view). */
  workspace: string;
  /** The sandbox's HOME on this machine (where agents keep their sessions). */
  homeHost: string;
  /** Settles when the agent's process has exited (with how), never rejects. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last few KiB the agent wrote to stderr, for an error message when it dies. */
  stderrTail(): string;
  /** Stops every process of the agent's sandbox (SIGTERM, SIGKILL after a grace), then removes the sandbox's scratch. */
  close(): Promise<void>;
};

export class AgentStartError extends Error {}

const STDERR_TAIL_BYTES = 4 * 1024;
// What of the agent's stderr reaches the job's log at most; an agent can be chatty.
const STDERR_LOG_BYTES = 256 * 1024;

export type StartAgentOptions = {
  spec: AcpAgentSpec;
  sandbox: SandboxSpec;
  /** The job process's environment, where `spec.envNames` are looked up. */
  env: Record<string, string | undefined>;
  /** Names never passed (the repository's credential variable, besides PLATFORM_ENV). */
  withheld: readonly string[];
  /**
   * The Anthropic API, for an agent that lists ANTHROPIC_API_KEY: it gets the sandbox's model
   * gateway (ANTHROPIC_BASE_URL and a per-sandbox token as its key), never the key itself.
   */
  modelAccess?: ModelAccess;
  settings?: SandboxSettings;
  /** The agent's stderr, a line or a chunk at a time, for the job's log. */
  onStderr(text: string): void;
  /** Runs once the sandbox exists, before the agent starts (e.g. to put a saved session into its HOME). */
  prepare?(sandbox: { homeHost: string; workspace: string }): Promise<void>;
  killGraceMs?: number;
};

/** The one variable an agent never gets as it is: the model gateway stands in for it. */
export const MODEL_KEY_ENV = "ANTHROPIC_API_KEY";

/**
 * The variables the agent receives on top of the sandbox's allow-list: the values of the
 * names the admin listed, read from the job process's environment. Platform secrets and the
 * repository's credential are refused by name: an admin's list cannot hand them out. The
 * model key is left to the gateway.
 */
export function agentEnv(spec: AcpAgentSpec, env: Record<string, string | undefined>, withheld: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of spec.envNames) {
    if (name === MODEL_KEY_ENV) continue;
    if (PLATFORM_ENV.includes(name) || withheld.includes(name)) {
      throw new AgentStartError(`the ACP agent "${spec.name}" may not receive ${name}: it is a secret of AgentDesk itself`);
    }
    const value = env[name];
    if (!value) throw new AgentStartError(`the ACP agent "${spec.name}" needs ${name}, which is not set on the job process`);
    out[name] = value;
  }
  return out;
}

/**
 * Starts the agent of `spec` inside the run's sandbox (AgentDesk's node_modules and the
 * agent's own folder visible read-only), in its own process group, stdio piped.
 */
export async function startAgentProcess(options: StartAgentOptions): Promise<AgentProcess> {
  const resolved = resolveAgentCommand(options.spec.command, options.settings);
  if ("error" in resolved) throw new AgentStartError(`the ACP agent "${options.spec.name}" cannot start: ${resolved.error}`);
  const spec: SandboxSpec = {
    ...options.sandbox,
    readOnlyPaths: [...options.sandbox.readOnlyPaths, ...resolved.readOnlyPaths.filter((p) => !options.sandbox.readOnlyPaths.includes(p))],
  };
  const env = agentEnv(options.spec, options.env, options.withheld);
  const wantsModel = options.spec.envNames.includes(MODEL_KEY_ENV);
  if (wantsModel && !options.modelAccess) {
    throw new AgentStartError(`the ACP agent "${options.spec.name}" needs ${MODEL_KEY_ENV}, which is not set on the job process`);
  }
  if (wantsModel) spec.modelAccess = options.modelAccess;
  const sandbox: OpenSandbox = await openSandbox(spec, options.settings);
  if (sandbox.model) {
    env.ANTHROPIC_BASE_URL = sandbox.model.baseUrl;
    env[MODEL_KEY_ENV] = sandbox.model.token;
    // The sandbox reaches nothing but the gateway: no update checks or telemetry to wait for.
    env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = "1";
    // Claude Code (claude-agent-acp) runs each shell command through this: where the gateway
    // cannot be reached, so the agent's tools cannot spend the run's model access.
    if (sandbox.model.toolShellPrefix) env.CLAUDE_CODE_SHELL_PREFIX = sandbox.model.toolShellPrefix;
  }
  let command;
  try {
    await options.prepare?.({ homeHost: sandbox.home.host, workspace: sandbox.workspace });
    command = sandbox.command(resolved.program, options.spec.args, { env });
  } catch (e) {
    await sandbox.close();
    throw e;
  }
  const child = spawn(command.file, command.args, {
    cwd: command.cwd,
    env: command.env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });

  let tail = "";
  let logged = 0;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text: string) => {
    tail = lastBytes(tail + text, STDERR_TAIL_BYTES);
    if (logged < STDERR_LOG_BYTES) options.onStderr(text);
    logged += Buffer.byteLength(text);
  });
  // A write after the agent died must not crash the job process; the closed stream says so.
  child.stdin.on("error", () => {});

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("error", (e) => {
      tail = lastBytes(`${tail}\ncould not start: ${e.message}`, STDERR_TAIL_BYTES);
      resolve({ code: null, signal: null });
    });
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });

  const signalGroup = (sig: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch (e) {
      // ESRCH: the group is gone already.
      if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
    }
  };

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      child.stdin.end();
      signalGroup("SIGTERM");
      const kill = setTimeout(() => signalGroup("SIGKILL"), options.killGraceMs ?? 2_000);
      await exited;
      clearTimeout(kill);
      // bwrap is PID 1 of the sandbox: with it gone, everything inside is gone too. A
      // leftover of the group outside a PID namespace (SANDBOX=off) gets the same end.
      signalGroup("SIGKILL");
      await sandbox.close();
    })());

  const stream = ndJsonStream(
    Writable.toWeb(child.stdin) as WritableStream<Uint8Array>,
    Readable.toWeb(child.stdout) as unknown as ReadableStream<Uint8Array>,
  );
  return { stream, workspace: sandbox.workspace, homeHost: sandbox.home.host, exited, stderrTail: () => tail.trim(), close };
}
