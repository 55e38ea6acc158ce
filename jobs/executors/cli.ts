import crypto from "node:crypto";
import { deniedByRule } from "../../lib/approval";
import { CommandOutput, DEFAULT_OUTPUT_LIMITS, type OutputLimits } from "../output";
import { runBashCommand } from "./bashCommand";
import type { ProcessOutcome } from "./processGroup";
import type { Executor, ExecutorContext, ExecutorResult } from "./types";

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
  // The command is the person's own, so nothing asks; but the repository's deny rules hold for
  // every executor: a command (or one it runs, as in `bash -c`, `find -exec`, `sed 'e …'`)
  // matching one, or code that cannot be checked against them, is refused before anything starts.
  const denied = deniedByRule(command, ctx.payload.approvalRules ?? { allow: [], ask: [], deny: [] });
  if (denied) {
    const why = "rule" in denied ? `\`${denied.command}\` is denied by the rule \`${denied.rule}\`` : `the repository's deny rules cannot be checked: ${denied.unreadable}`;
    return { ok: false, error: `the command was refused: ${why}; nothing ran` };
  }

  const callId = `call_${crypto.randomUUID()}`;
  const started = Date.now();
  await ctx.emit({ type: "tool.started", callId, tool: "shell", input: { command } });

  const output = new CommandOutput(ctx.emit, callId, ctx.secrets, limits);
  let outcome: ProcessOutcome;
  try {
    outcome = await runBashCommand({
      command,
      sandbox: ctx.sandbox,
      signal: ctx.signal,
      onOutput: (stream, chunk) => output.push(stream, chunk),
    });
  } finally {
    await output.end();
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
