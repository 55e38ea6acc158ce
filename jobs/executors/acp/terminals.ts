import path from "node:path";
import { RequestError, type CreateTerminalRequest, type TerminalExitStatus, type TerminalOutputResponse } from "@agentclientprotocol/sdk/unstable";
import type { ApprovalAction } from "../../../lib/approval";
import type { GateOutcome } from "../../approval/gate";
import { acpTerminalAction } from "../../approval/toolActions";
import { CommandOutput, lastBytes } from "../../output";
import { openSandbox } from "../../sandbox/sandbox";
import { isInside } from "../../sandbox/bwrapArgs";
import type { SandboxSettings, SandboxSpec } from "../../sandbox/spec";
import { capText, EVENT_OUTPUT_CHARS } from "../../agent/toolStep";
import { runProcessGroup } from "../processGroup";
import type { RunEmit } from "../types";

/** What an agent's terminal keeps of its output when the agent names no limit. */
const DEFAULT_OUTPUT_BYTES = 1024 * 1024;

type Terminal = {
  released: boolean;
  output: string;
  truncated: boolean;
  exit?: TerminalExitStatus;
  exited: Promise<TerminalExitStatus>;
  stop: AbortController;
};

export type TerminalsOptions = {
  sandbox: SandboxSpec;
  settings?: SandboxSettings;
  emit: RunEmit;
  secrets: readonly string[];
  /** The one policy on what is about to run (may ask a person); `callId` is the feed's. */
  gate(request: { callId: string; action: ApprovalAction; command: string; args: string[]; input: { command: string; args: string[]; cwd: string } }): Promise<GateOutcome>;
  /** The feed's call id of terminal number `n` of this connection. */
  feedCallId(n: number): string;
};

/**
 * The client side of ACP's terminals: each `terminal/create` runs its command in the run's
 * sandbox (a sandbox of its own, the same spec), after the one policy has judged the command
 * line that really runs (a deny rule refuses it with a JSON-RPC error the agent sees, even
 * when the agent never asked for permission). Output is kept for `terminal/output` (cut from
 * the front at the agent's byte limit) and streamed to the feed as a tool call "terminal".
 */
export class AcpTerminals {
  private readonly terminals = new Map<string, Terminal>();
  private count = 0;

  constructor(private readonly options: TerminalsOptions) {}

  async create(params: CreateTerminalRequest): Promise<{ terminalId: string }> {
    // Where the sandbox shows the workspace: the paths the agent knows.
    const workspace = this.options.sandbox.workspaceView ?? this.options.sandbox.workspace;
    const cwd = params.cwd ?? workspace;
    if (!path.isAbsolute(cwd) || !isInside(path.resolve(cwd), workspace)) {
      throw RequestError.invalidParams({ cwd }, `the terminal's working directory must be inside the workspace ${workspace}`);
    }
    const args = params.args ?? [];
    const n = ++this.count;
    const callId = this.options.feedCallId(n);
    const input = { command: params.command, args, cwd };
    const gate = await this.options.gate({ callId, action: acpTerminalAction(params.command, args), command: params.command, args, input });
    if (!gate.run) throw RequestError.invalidRequest({ refused: gate.output }, gate.output);

    const env: Record<string, string> = {};
    for (const variable of params.env ?? []) env[variable.name] = variable.value;
    // Without arguments the command is a command line (what the policy judged): a shell runs it.
    const argv = args.length > 0 ? [params.command, ...args] : ["bash", "-c", params.command];
    const limit = params.outputByteLimit ?? DEFAULT_OUTPUT_BYTES;
    const live = new CommandOutput(this.options.emit, callId, this.options.secrets);
    const stop = new AbortController();
    const started = Date.now();
    await this.options.emit({ type: "tool.started", callId, tool: "terminal", input });
    const sandbox = await openSandbox(this.options.sandbox, this.options.settings);
    const terminal: Terminal = { released: false, output: "", truncated: false, stop, exited: Promise.resolve({}) };
    let spawned;
    try {
      spawned = sandbox.command(argv[0]!, argv.slice(1), { cwd, env });
    } catch (e) {
      await sandbox.close();
      await this.options.emit({ type: "tool.finished", callId, ok: false, output: (e as Error).message, durationMs: 0 });
      throw RequestError.invalidParams(undefined, (e as Error).message);
    }
    terminal.exited = runProcessGroup({
      file: spawned.file,
      args: spawned.args,
      cwd: spawned.cwd,
      env: spawned.env,
      signal: stop.signal,
      onOutput: (stream, chunk) => {
        live.push(stream, chunk);
        const next = terminal.output + chunk.toString("utf8");
        if (Buffer.byteLength(next) > limit) terminal.truncated = true;
        terminal.output = lastBytes(next, limit);
      },
    })
      .catch((e: unknown) => {
        terminal.output += `\n${(e as Error).message}`;
        return { exitCode: null, signal: null };
      })
      .then(async (outcome) => {
        await sandbox.close();
        await live.end();
        const exit: TerminalExitStatus = { exitCode: outcome.exitCode, signal: outcome.signal };
        terminal.exit = exit;
        const shown = capText(live.tail().output, EVENT_OUTPUT_CHARS, "shown here");
        await this.options.emit({
          type: "tool.finished",
          callId,
          ok: outcome.exitCode === 0,
          output: shown.text,
          durationMs: Date.now() - started,
          exitCode: outcome.exitCode,
          ...(live.tail().truncated || shown.cut ? { truncated: true } : {}),
        });
        return exit;
      });
    const terminalId = `term-${n}`;
    this.terminals.set(terminalId, terminal);
    return { terminalId };
  }

  output(terminalId: string): TerminalOutputResponse {
    const t = this.get(terminalId);
    return { output: t.output, truncated: t.truncated, exitStatus: t.exit ?? null };
  }

  /** The output of a terminal, for a tool call that embeds it; undefined for an unknown one. */
  outputOf(terminalId: string): string | undefined {
    return this.terminals.get(terminalId)?.output;
  }

  async waitForExit(terminalId: string): Promise<TerminalExitStatus> {
    return this.get(terminalId).exited;
  }

  async kill(terminalId: string): Promise<void> {
    const t = this.get(terminalId);
    t.stop.abort();
    await t.exited;
  }

  async release(terminalId: string): Promise<void> {
    const t = this.get(terminalId);
    t.stop.abort();
    // Its output stays readable for the feed (a tool call may embed the terminal).
    t.released = true;
    await t.exited;
  }

  /** Stops every terminal still running (the session is over). */
  async closeAll(): Promise<void> {
    const all = [...this.terminals.values()];
    for (const t of all) t.stop.abort();
    await Promise.all(all.map((t) => t.exited));
  }

  private get(terminalId: string): Terminal {
    const t = this.terminals.get(terminalId);
    if (!t || t.released) throw RequestError.resourceNotFound(terminalId);
    return t;
  }
}
