import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { lastBytes } from "../output";
import type { SandboxedCommand } from "../sandbox/sandbox";

/** How much of a server's stderr is kept, to say why it failed. */
export const STDERR_TAIL_BYTES = 4 * 1024;
/** A single message bigger than this closes the connection (the SDK's own default). */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** Between SIGTERM and SIGKILL when the server is stopped. */
const KILL_GRACE_MS = 1_000;

/**
 * The MCP stdio transport for a server started in the run's sandbox. Not the SDK's
 * StdioClientTransport, which spawns with the job process's HOME, USER, SHELL and PATH added to
 * the environment we give (bwrap's own environment is visible inside as /proc/1/environ): here
 * the process gets exactly the sandbox's allow-listed environment, runs in its own process
 * group, and is killed with everything it started when the connection closes.
 */
export class SandboxedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  private child?: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly buffer = new ReadBuffer({ maxBufferSize: MAX_MESSAGE_BYTES });
  private stderr = "";
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private exited?: Promise<void>;

  constructor(private readonly command: SandboxedCommand) {}

  start(): Promise<void> {
    if (this.child) throw new Error("the MCP server process was already started");
    const { file, args, cwd, env } = this.command;
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, { cwd, env: env as NodeJS.ProcessEnv, detached: true, stdio: ["pipe", "pipe", "pipe"] });
      this.child = child;
      // "close" follows the end of a process that ran; a process that could not start only errs.
      this.exited = new Promise((done) => {
        child.once("close", () => done());
        child.once("error", () => child.pid === undefined && done());
      });
      child.once("spawn", () => resolve());
      child.once("error", (e) => {
        reject(new Error(`could not start ${file}: ${e.message}`, { cause: e }));
        this.onerror?.(e);
      });
      child.once("exit", (code, signal) => {
        this.exit = { code, signal };
      });
      child.once("close", () => this.onclose?.());
      child.stdin.on("error", (e) => this.onerror?.(e));
      child.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
      child.stderr.on("data", (chunk: Buffer) => {
        this.stderr = lastBytes(this.stderr + chunk.toString("utf8"), STDERR_TAIL_BYTES);
      });
    });
  }

  private receive(chunk: Buffer): void {
    try {
      this.buffer.append(chunk);
    } catch (e) {
      // A message bigger than the limit: the server is not usable any more.
      this.onerror?.(asError(e));
      void this.close();
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (e) {
        // A line that is not JSON-RPC (a server printing to stdout): skipped, reported.
        this.onerror?.(asError(e));
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed) return Promise.reject(new Error("the MCP server process is not running"));
    return new Promise((resolve, reject) => {
      stdin.write(serializeMessage(message), (e) => (e ? reject(e) : resolve()));
    });
  }

  /** Ends the server: SIGTERM to its process group, SIGKILL after a grace period; resolves once it is gone. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.stdin.end();
    if (this.exit === null) {
      signalGroup(child.pid, "SIGTERM");
    } else {
      // The server is gone; anything it left in its group is not to outlive the run.
      signalGroup(child.pid, "SIGKILL");
    }
    const kill = setTimeout(() => signalGroup(child.pid, "SIGKILL"), KILL_GRACE_MS);
    // A process that left the group (setsid, possible with SANDBOX=off) may still hold the pipes.
    const release = setTimeout(() => {
      child.stdout.destroy();
      child.stderr.destroy();
    }, KILL_GRACE_MS + 500);
    await this.exited;
    clearTimeout(kill);
    clearTimeout(release);
    this.buffer.clear();
  }

  /** Resolves once the process has ended, or after `ms` if it has not. */
  async settled(ms: number): Promise<void> {
    if (!this.exited) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** The end of what the server wrote to stderr. */
  stderrTail(): string {
    return this.stderr.trim();
  }

  /** How the process ended ("exit code 3", "killed by SIGKILL"), or null while it runs. */
  exitDescription(): string | null {
    if (this.exit === null) return null;
    return this.exit.code !== null ? `exit code ${this.exit.code}` : `killed by ${this.exit.signal ?? "a signal"}`;
  }
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch (e) {
    // ESRCH: the whole group is already gone.
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}
