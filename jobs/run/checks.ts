import crypto from "node:crypto";
import type { CheckSpec, EnvironmentSpec, RepositoryEnvironmentFile } from "../../lib/contracts/environment";
import { environmentSpec } from "../../lib/contracts/environment";
import type { CheckPhase, CheckSource } from "../../lib/contracts/runChecks";
import { CHECK_OUTPUT_TAIL_BYTES } from "../../lib/contracts/runChecks";
import { readRepositoryFile } from "../environment/config";
import { setupVariables } from "../environment/setup";
import { errorMessage } from "../errors";
import type { ProcessOutcome } from "../executors/processGroup";
import type { RunEmit } from "../executors/types";
import { CommandOutput, DEFAULT_OUTPUT_LIMITS, type OutputLimits } from "../output";
import { runSandboxed } from "../sandbox/sandbox";
import type { SandboxSettings } from "../sandbox/spec";

/**
 * Repository hooks (lib/contracts/runChecks.ts) on the job side: which checks a run has, and
 * running one phase of them in the run's sandbox, each as its own step in the feed.
 */

export type EffectiveCheck = CheckSpec & { source: CheckSource };
export type EffectiveChecks = {
  pre: EffectiveCheck[];
  post: EffectiveCheck[];
  error: EffectiveCheck[];
  /** Job-process variables the checks get, and the hosts they reach: the admin's only. */
  envNames: string[];
  hosts: string[];
};

/**
 * A run's checks: per phase the admin's list, or (when the admin left that phase empty and
 * allows the repository's file) the file's. The file gives commands only; what the checks
 * may read (variables) and reach (hosts) is the admin's.
 */
export function effectiveChecks(admin: EnvironmentSpec | null, file: RepositoryEnvironmentFile | null): EffectiveChecks {
  const spec = admin ?? environmentSpec.parse({});
  const fromFile = spec.useRepositoryFile ? file?.checks : undefined;
  const pick = (own: CheckSpec[], theirs: CheckSpec[] | undefined): EffectiveCheck[] =>
    own.length > 0
      ? own.map((c) => ({ ...c, source: "admin" as const }))
      : (theirs ?? []).map((c) => ({ ...c, command: c.command.replace(/\r\n?/g, "\n"), source: "repository" as const }));
  return {
    pre: pick(spec.checks.pre, fromFile?.pre),
    post: pick(spec.checks.post, fromFile?.post),
    error: pick(spec.checks.onError, fromFile?.onError),
    envNames: spec.checkEnvNames,
    hosts: spec.checkHosts,
  };
}

/**
 * The run's checks, reading the repository's file at the base commit when the admin allows it.
 * A file that is refused gives none (the environment step already says why in the feed).
 */
export async function loadChecks(
  environment: EnvironmentSpec | null,
  repo: { gitDir: string; baseSha: string },
  signal: AbortSignal,
): Promise<EffectiveChecks> {
  if (environment?.useRepositoryFile === false) return effectiveChecks(environment, null);
  const read = await readRepositoryFile(repo.gitDir, repo.baseSha, signal);
  return effectiveChecks(environment, "file" in read ? read.file : null);
}

export type CheckRunContext = {
  /** The run's sandbox: its workspace (the only writable place) and the read-only paths it borrows. */
  workspace: { path: string; readOnlyPaths: string[] };
  checks: EffectiveChecks;
  emit: RunEmit;
  /** The run's secrets: masked in the output. */
  secrets: readonly string[];
  /** Variables never given to a check whatever the admin listed (the repository's credential). */
  withheld: readonly string[];
  /** The job process's environment, where the checks' variables are read (tests). */
  env?: Record<string, string | undefined>;
  settings?: SandboxSettings;
  limits?: OutputLimits;
};

export type CheckResult = { name: string; ok: boolean; exitCode: number | null; timedOut: boolean; output: string; error?: string };

/** The run was stopped (cancel, timeout, shutdown, lost lock) while a check ran: the caller says how it ended. */
export class CheckStopped extends Error {}

/**
 * Runs one phase's checks one after another, each in the run's sandbox (bash `-e -o pipefail`,
 * the workspace its only writable folder, the allow-listed environment plus the admin's
 * check variables, network only to the check hosts), each stopped at its own timeout. A `pre`
 * phase stops at the first failure (it aborts the run); the others run every check.
 * `signal` is the run's: when it fires the check in progress ends and CheckStopped is thrown.
 */
export async function runCheckPhase(
  ctx: CheckRunContext,
  phase: CheckPhase,
  o: { signal: AbortSignal; headSha?: string; variables?: Record<string, string> },
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of ctx.checks[phase]) {
    const result = await runOneCheck(ctx, phase, check, o);
    results.push(result);
    if (phase === "pre" && !result.ok) break;
  }
  return results;
}

async function runOneCheck(
  ctx: CheckRunContext,
  phase: CheckPhase,
  check: EffectiveCheck,
  o: { signal: AbortSignal; headSha?: string; variables?: Record<string, string> },
): Promise<CheckResult> {
  const checkId = `check_${crypto.randomUUID()}`;
  const common = { checkId, phase, name: check.name, ...(o.headSha ? { headSha: o.headSha } : {}) };
  const started = Date.now();
  await ctx.emit({ type: "check.started", ...common, command: check.command, source: check.source, timeoutSec: check.timeoutSec });

  const output = new CommandOutput(ctx.emit, checkId, ctx.secrets, { ...(ctx.limits ?? DEFAULT_OUTPUT_LIMITS), tailBytes: CHECK_OUTPUT_TAIL_BYTES });
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), check.timeoutSec * 1000);
  let outcome: ProcessOutcome | null = null;
  let error: string | undefined;
  try {
    // Checked before anything runs: a variable that is not set (or may not be given) fails the check naming it.
    const variables = setupVariables(ctx.checks.envNames, { withheld: ctx.withheld, env: ctx.env, purpose: "the repository's checks" });
    outcome = await runSandboxed({
      program: "bash",
      args: ["-e", "-o", "pipefail", "-c", check.command],
      spec: { workspace: ctx.workspace.path, readOnlyPaths: ctx.workspace.readOnlyPaths, networkHosts: ctx.checks.hosts },
      env: { ...variables, ...o.variables, AGENTDESK_CHECK_PHASE: phase },
      signal: AbortSignal.any([o.signal, timeout.signal]),
      settings: ctx.settings,
      onOutput: (stream, chunk) => output.push(stream, chunk),
    });
  } catch (e) {
    error = errorMessage(e);
  } finally {
    clearTimeout(timer);
    await output.end();
  }
  const { output: tail, truncated } = output.tail();
  const durationMs = Date.now() - started;
  if (o.signal.aborted) {
    // The run ends for its own reason; the step says it did not finish, if the run may still say anything.
    await ctx
      .emit({ type: "check.finished", ...common, ok: false, exitCode: null, timedOut: false, durationMs, output: tail, truncated, error: "stopped with the run" })
      .catch(() => {});
    throw new CheckStopped("the run was stopped");
  }
  const timedOut = timeout.signal.aborted;
  if (timedOut) error = `timed out after ${check.timeoutSec} s`;
  const exitCode = outcome?.exitCode ?? null;
  const ok = error === undefined && exitCode === 0;
  await ctx.emit({ type: "check.finished", ...common, ok, exitCode, timedOut, durationMs, output: tail, truncated, ...(error ? { error } : {}) });
  return { name: check.name, ok, exitCode, timedOut, output: tail, ...(error ? { error } : {}) };
}

/** The end of a check's output for a one-line message (run.failed): its last lines, at most `max` characters. */
export function outputTail(output: string, max = 600): string {
  const trimmed = output.trimEnd();
  if (trimmed.length <= max) return trimmed;
  const cut = trimmed.slice(trimmed.length - max);
  const newline = cut.indexOf("\n");
  return `…${newline >= 0 && newline < cut.length - 1 ? cut.slice(newline + 1) : cut}`;
}

/** "pre-run check “lint” failed (exit 1): <its output's end>" — what `run.failed` says. */
export function preCheckFailure(result: CheckResult): string {
  const how = result.error ?? (result.exitCode !== null ? `exit ${result.exitCode}` : "killed by a signal");
  const tail = outputTail(result.output);
  return `pre-run check "${result.name}" failed (${how})${tail ? `:\n${tail}` : ""}`;
}
