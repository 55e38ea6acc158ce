import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { SpawnOptions, SpawnedProcess } from "@anthropic-ai/claude-agent-sdk";
import type { OpenSandbox } from "../../sandbox/sandbox";

/** How long the CLI gets between SIGTERM and SIGKILL when it is stopped. */
const KILL_GRACE_MS = 2_000;
/** What is kept of the CLI's stderr for an error message. */
const STDERR_TAIL_CHARS = 4_000;

export type SandboxedCli = {
  /** The SDK's spawnClaudeCodeProcess: starts the CLI inside the sandbox. */
  spawn(options: SpawnOptions): SpawnedProcess;
  /** Resolves once the CLI (if started) has exited: its sandbox may then be removed. */
  exited(): Promise<void>;
  /** The end of what the CLI wrote to stderr (it reports start-up failures there). */
  stderrTail(): string;
};

/**
 * Starts the Claude Code CLI the SDK asks for inside `sandbox` (bwrap: its own PID namespace, so
 * everything it starts dies with it; --die-with-parent, so nothing outlives a killed job process).
 * The SDK's environment for it is its whole environment, on top of the sandbox's allow-list,
 * minus anything that holds a known secret. Stopping it stops its whole process group.
 */
export function sandboxedCli(sandbox: OpenSandbox, secrets: readonly string[], onStderr: (text: string) => void): SandboxedCli {
  let child: ChildProcess | undefined;
  let exit: Promise<void> = Promise.resolve();
  let stderr = "";
  return {
    spawn(options) {
      const env: Record<string, string> = {};
      for (const [name, value] of Object.entries(options.env)) {
        if (value === undefined || secrets.some((secret) => secret.length > 0 && value.includes(secret))) continue;
        env[name] = value;
      }
      const command = sandbox.command(options.command, privateArgs(options.args, sandbox), { cwd: options.cwd, env });
      const started = spawn(command.file, command.args, {
        cwd: command.cwd,
        env: command.env as NodeJS.ProcessEnv,
        stdio: ["pipe", "pipe", "pipe"],
        detached: true,
      });
      child = started;
      exit = new Promise((resolve) => {
        started.once("exit", () => resolve());
        started.once("error", () => resolve());
      });
      started.stderr!.setEncoding("utf8");
      started.stderr!.on("data", (text: string) => {
        stderr = (stderr + text).slice(-STDERR_TAIL_CHARS);
        onStderr(text);
      });
      const killGroup = (signal: NodeJS.Signals): boolean => {
        if (started.pid === undefined || started.exitCode !== null || started.signalCode !== null) return false;
        try {
          process.kill(-started.pid, signal);
          return true;
        } catch {
          return false;
        }
      };
      // The SDK aborts this signal after its own graceful close (stdin EOF and a grace period).
      options.signal.addEventListener(
        "abort",
        () => {
          if (killGroup("SIGTERM")) setTimeout(() => killGroup("SIGKILL"), KILL_GRACE_MS).unref();
        },
        { once: true },
      );
      return {
        stdin: started.stdin!,
        stdout: started.stdout!,
        get killed() {
          return started.killed;
        },
        get exitCode() {
          return started.exitCode;
        },
        get signalCode() {
          return started.signalCode;
        },
        kill: (signal) => killGroup(signal),
        on: (event: "exit" | "error", listener: (...args: unknown[]) => void) => void started.on(event, listener),
        once: (event: "exit" | "error", listener: (...args: unknown[]) => void) => void started.once(event, listener),
        off: (event: "exit" | "error", listener: (...args: unknown[]) => void) => void started.off(event, listener),
      } as SpawnedProcess;
    },
    async exited() {
      if (child && child.exitCode === null && child.signalCode === null) {
        // Whatever is left of it goes now: the sandbox is about to be removed.
        const pid = child.pid;
        const timer = setTimeout(() => {
          try {
            if (pid !== undefined) process.kill(-pid, "SIGKILL");
          } catch {
            // Gone already.
          }
        }, KILL_GRACE_MS).unref();
        await exit;
        clearTimeout(timer);
      }
    },
    stderrTail: () => stderr,
  };
}

/**
 * The CLI's arguments with what must stay private moved into a file only the CLI can read: the
 * SDK puts the MCP servers' configuration (their variables and tokens) on the command line,
 * which every process of the sandbox could read in /proc. The file lies in the sandbox's
 * private folder, which the tool isolation covers.
 */
export function privateArgs(args: string[], sandbox: Pick<OpenSandbox, "model">): string[] {
  const at = args.indexOf("--mcp-config");
  if (at === -1 || args[at + 1] === undefined) return args;
  const dir = sandbox.model?.privateDir;
  if (!dir) throw new Error("the sandbox has no private folder for the MCP configuration");
  writeFileSync(path.join(dir.host, "mcp-config.json"), args[at + 1]!, { mode: 0o600 });
  return [...args.slice(0, at + 1), path.posix.join(dir.inside, "mcp-config.json"), ...args.slice(at + 2)];
}
