import fs from "node:fs/promises";
import { constants as fsConstants, accessSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runProcessGroup, type ProcessOutcome } from "../executors/processGroup";
import {
  SANDBOX_HOME,
  SANDBOX_MODEL_DIR,
  SANDBOX_MODEL_PORT,
  SANDBOX_MODEL_SOCKET,
  SANDBOX_PROXY_PORT,
  SANDBOX_PROXY_SOCKET,
  buildBwrapArgs,
  isInside,
  onHost,
  workspaceView,
  workspaceViewProblem,
} from "./bwrapArgs";
import { SANDBOX_PATH, sandboxEnv } from "./env";
import { newGatewayToken, startModelGateway, type ModelGateway } from "./modelGateway";
import { writeIsolationScripts } from "./toolIsolation";
import { startFilteringProxy, type FilteringProxy } from "./proxy";
import { sandboxSettings, type SandboxSettings, type SandboxSpec } from "./spec";

/** A program ready to spawn: bwrap around it, or (SANDBOX=off) the program itself. */
export type SandboxedCommand = { file: string; args: string[]; cwd: string; env: Record<string, string> };

/**
 * One sandboxed process's surroundings: a private HOME and /tmp on the host, and the filtering
 * proxy when the repository allows hosts. `command` wraps a program; spawn it yourself (with
 * whatever stdio you need, e.g. pipes for an agent speaking JSON-RPC) or use runSandboxed.
 * Close after the process has exited.
 */
export type OpenSandbox = {
  /** Where the sandbox's processes see the workspace (spec.workspaceView, or its own path). */
  workspace: string;
  /**
   * The private HOME: its folder on the host (empty and seen by no process until the first
   * command starts, so the caller may put files there first), and its path inside.
   */
  home: { host: string; inside: string };
  /** `cwd` is a folder of the workspace as the sandbox's processes see it (default: the workspace). */
  command(program: string, args: string[], options?: { cwd?: string; env?: Record<string, string> }): SandboxedCommand;
  /**
   * With spec.modelAccess: where the program reaches the model (the gateway, at a loopback
   * address inside the sandbox) and the token it uses as its API key. Give them only to the
   * program that calls the model (e.g. ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY).
   */
  model?: SandboxModelEndpoint;
  close(): Promise<void>;
};

export type SandboxModelEndpoint = {
  baseUrl: string;
  token: string;
  /**
   * With the sandbox on: a program (a path inside the sandbox) that runs its one argument, a
   * bash command line, where the gateway cannot be reached (toolIsolation.ts). Give it to the
   * agent as the wrapper of its shell commands (Claude Code: CLAUDE_CODE_SHELL_PREFIX).
   */
  toolShellPrefix?: string;
  /**
   * A folder for files only the program that calls the model may read (e.g. configuration
   * holding an MCP server's token): on the host, and as the program sees it. Inside the sandbox
   * it is the gateway's folder, which the tool isolation covers.
   */
  privateDir: { host: string; inside: string };
};

export class SandboxError extends Error {}

/** bwrap's absolute path on the job process's PATH, or null. */
export function findBwrap(searchPath = process.env.PATH ?? ""): string | null {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "bwrap");
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // Not here; the next PATH entry.
    }
  }
  return null;
}

function checkSpec(spec: SandboxSpec): void {
  if (!path.isAbsolute(spec.workspace)) throw new SandboxError(`sandbox workspace "${spec.workspace}" is not an absolute path`);
  if (spec.workspaceView !== undefined) {
    const problem = workspaceViewProblem(spec.workspaceView, spec.readOnlyPaths);
    if (problem) throw new SandboxError(`sandbox workspace view ${problem}`);
  }
  for (const readOnly of spec.readOnlyPaths) {
    if (!path.isAbsolute(readOnly)) throw new SandboxError(`sandbox read-only path "${readOnly}" is not an absolute path`);
    // Binding it would cover the workspace with a read-only copy of itself.
    if (isInside(spec.workspace, readOnly)) {
      throw new SandboxError(`sandbox read-only path "${readOnly}" contains the workspace "${spec.workspace}"`);
    }
  }
}

export async function openSandbox(spec: SandboxSpec, settings: SandboxSettings = sandboxSettings()): Promise<OpenSandbox> {
  checkSpec(spec);
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-sandbox-"));
  const home = path.join(scratch, "home");
  await fs.mkdir(home);
  const remove = () => fs.rm(scratch, { recursive: true, force: true });

  const cwdOf = (cwd: string | undefined, view: string) => {
    const resolved = cwd ?? view;
    if (!isInside(resolved, view)) throw new SandboxError(`working directory "${resolved}" is outside the workspace "${view}"`);
    return resolved;
  };

  const token = newGatewayToken();
  if (settings.mode === "off") {
    // The operator chose no sandbox: the program runs as the job process's user, with the same
    // allow-listed environment and a throwaway HOME, but nothing stops it reading the machine.
    // The model key still stays here: the gateway listens on this machine's loopback.
    let gateway: ModelGateway | undefined;
    const privateDir = path.join(scratch, "model");
    if (spec.modelAccess) {
      await fs.mkdir(privateDir, { mode: 0o700 });
      gateway = await startModelGateway({ ...spec.modelAccess, token, listen: { port: 0 } }).catch(async (e: unknown) => {
        await remove();
        throw e;
      });
    }
    return {
      // No mount namespace: the workspace is where it is.
      workspace: spec.workspace,
      home: { host: home, inside: home },
      command: (program, args, options = {}) => ({
        file: program,
        args,
        cwd: cwdOf(options.cwd, spec.workspace),
        env: sandboxEnv({ home, path: process.env.PATH ?? SANDBOX_PATH, extra: options.env }),
      }),
      ...(gateway ? { model: { baseUrl: `http://127.0.0.1:${gateway.port}`, token, privateDir: { host: privateDir, inside: privateDir } } } : {}),
      close: async () => {
        await gateway?.close();
        await remove();
      },
    };
  }

  const bwrap = findBwrap();
  if (!bwrap) {
    await remove();
    throw new SandboxError("bwrap (bubblewrap) is not on PATH; install it, or set SANDBOX=off to run commands unsandboxed");
  }
  const tmp = path.join(scratch, "tmp");
  await fs.mkdir(tmp);
  let proxy: FilteringProxy | undefined;
  let proxyDir: string | undefined;
  let gateway: ModelGateway | undefined;
  let modelDir: string | undefined;
  let toolsDir: string | undefined;
  let toolShellPrefix: string | undefined;
  try {
    if (spec.networkHosts.length > 0) {
      proxyDir = path.join(scratch, "proxy");
      await fs.mkdir(proxyDir);
      proxy = await startFilteringProxy({
        socketPath: path.join(proxyDir, SANDBOX_PROXY_SOCKET),
        hosts: spec.networkHosts,
        allowPrivate: settings.allowPrivateNetwork,
      });
    }
    if (spec.modelAccess) {
      modelDir = path.join(scratch, "model");
      await fs.mkdir(modelDir);
      gateway = await startModelGateway({ ...spec.modelAccess, token, listen: { socketPath: path.join(modelDir, SANDBOX_MODEL_SOCKET) } });
      toolsDir = path.join(scratch, "tools");
      await fs.mkdir(toolsDir);
      toolShellPrefix = await writeIsolationScripts(toolsDir);
    }
  } catch (e) {
    await proxy?.close();
    await gateway?.close();
    await remove();
    throw e;
  }
  const proxyUrl = `http://127.0.0.1:${SANDBOX_PROXY_PORT}`;
  const proxyEnv: Record<string, string> = proxyDir
    ? {
        HTTP_PROXY: proxyUrl,
        HTTPS_PROXY: proxyUrl,
        http_proxy: proxyUrl,
        https_proxy: proxyUrl,
        // The model gateway's port is on the sandbox's own loopback, not behind the proxy (so
        // such a sandbox reaches no loopback host through the proxy, which only development's
        // ALLOW_LOCAL_REPOS would allow anyway).
        ...(gateway ? { NO_PROXY: "127.0.0.1,localhost", no_proxy: "127.0.0.1,localhost" } : {}),
      }
    : {};

  return {
    workspace: workspaceView(spec),
    home: { host: home, inside: SANDBOX_HOME },
    command(program, args, options = {}) {
      const cwd = cwdOf(options.cwd, workspaceView(spec));
      const env = sandboxEnv({ home: SANDBOX_HOME, path: SANDBOX_PATH, extra: { ...proxyEnv, ...options.env } });
      return {
        file: bwrap,
        args: buildBwrapArgs({
          spec,
          scratch: { home, tmp, proxyDir, modelDir, toolsDir },
          hidden: settings.dataDir ? [settings.dataDir] : [],
          cwd,
          env,
          program,
          args,
        }),
        // bwrap itself starts in the same folder on the host.
        cwd: onHost(spec, cwd),
        // bwrap itself gets the same allow-list: its process is PID 1 inside, and /proc/1/environ
        // shows what it was started with.
        env,
      };
    },
    ...(gateway && modelDir
      ? { model: { baseUrl: `http://127.0.0.1:${SANDBOX_MODEL_PORT}`, token, toolShellPrefix, privateDir: { host: modelDir, inside: SANDBOX_MODEL_DIR } } }
      : {}),
    async close() {
      await proxy?.close();
      await gateway?.close();
      await remove();
    },
  };
}

export type RunSandboxedOptions = {
  program: string;
  args: string[];
  spec: SandboxSpec;
  /** Inside the workspace; the workspace itself by default. */
  cwd?: string;
  /** Variables given on purpose, on top of the allow-list. */
  env?: Record<string, string>;
  signal: AbortSignal;
  onOutput(stream: "stdout" | "stderr", chunk: Buffer): void;
  settings?: SandboxSettings;
  killGraceMs?: number;
};

/**
 * Runs one program in the sandbox to its end, streaming its output. Cancel with `signal`: the
 * whole sandbox (every process in its PID namespace) dies.
 */
export async function runSandboxed(options: RunSandboxedOptions): Promise<ProcessOutcome> {
  const sandbox = await openSandbox(options.spec, options.settings);
  try {
    const command = sandbox.command(options.program, options.args, { cwd: options.cwd, env: options.env });
    return await runProcessGroup({
      file: command.file,
      args: command.args,
      cwd: command.cwd,
      env: command.env,
      signal: options.signal,
      onOutput: options.onOutput,
      killGraceMs: options.killGraceMs,
    });
  } finally {
    await sandbox.close();
  }
}

