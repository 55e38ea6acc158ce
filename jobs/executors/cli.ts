import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CommandOutput, DEFAULT_OUTPUT_LIMITS, type OutputLimits } from "../output";
import { runProcessGroup, type ProcessOutcome } from "./processGroup";
import type { Executor, ExecutorContext, ExecutorResult } from "./types";

const DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

/**
 * The command's whole environment: an allow-list, not the job process's environment minus
 * some names, so no credential, API key or database/Redis URL can leak into it. HOME is a
 * fresh folder per run, so nothing of the host user's dotfiles (or a previous run's) is seen.
 */
export function commandEnv(home: string, source: Record<string, string | undefined> = process.env) {
  return {
    PATH: source.PATH ?? DEFAULT_PATH,
    HOME: home,
    LANG: source.LANG ?? "C.UTF-8",
    TERM: "dumb",
    CI: "1",
    TZ: source.TZ ?? "UTC",
  };
}

/** `cli`: runs the run's shell command in the workspace with `bash -c`. */
export function createCliExecutor(limits: OutputLimits = DEFAULT_OUTPUT_LIMITS): Executor {
  return {
    name: "cli",
    unavailableReason: () => null,
    run: (ctx) => runCommand(ctx, limits),
  };
}

async function runCommand(ctx: ExecutorContext, limits: OutputLimits): Promise<ExecutorResult> {
  const command = ctx.payload.command;
  if (!command || command.trim() === "") return { ok: false, error: "the cli executor needs a command to run" };

  const callId = `call_${crypto.randomUUID()}`;
  const started = Date.now();
  await ctx.emit({ type: "tool.started", callId, tool: "shell", input: { command } });

  const home = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-home-"));
  const output = new CommandOutput(ctx.emit, callId, ctx.secrets, limits);
  let outcome: ProcessOutcome;
  try {
    outcome = await runProcessGroup({
      file: "bash",
      args: ["-c", command],
      cwd: ctx.workspace,
      env: commandEnv(home),
      signal: ctx.signal,
      onOutput: (stream, chunk) => output.push(stream, chunk),
    });
  } finally {
    await output.end();
    await fs.rm(home, { recursive: true, force: true });
  }

  const { output: tailOutput, truncated } = output.tail();
  await ctx.emit({
    type: "tool.finished",
    callId,
    ok: outcome.exitCode === 0,
    output: tailOutput,
    durationMs: Date.now() - started,
    exitCode: outcome.exitCode,
    truncated,
  });
  if (outcome.exitCode === 0) return { ok: true };
  if (outcome.exitCode !== null) return { ok: false, error: `command exited with code ${outcome.exitCode}` };
  return { ok: false, error: `command was killed by ${outcome.signal ?? "a signal"}` };
}
