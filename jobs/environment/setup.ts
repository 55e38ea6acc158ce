import { reservedEnvNames } from "../../lib/contracts/executorSpecs";
import { PermanentRunError } from "../errors";
import type { RunEmit } from "../executors/types";
import type { ProcessOutcome } from "../executors/processGroup";
import { CommandOutput, DEFAULT_OUTPUT_LIMITS, type OutputLimits } from "../output";
import { runSandboxed } from "../sandbox/sandbox";
import type { SandboxSettings } from "../sandbox/spec";

/** Variables that never go to a setup, whatever the settings say: AgentDesk's own secrets. */
const WITHHELD: readonly string[] = [...reservedEnvNames, "ANTHROPIC_API_KEY"];

/**
 * The values of the variables the setup gets (`setupEnvNames`), from the job process's
 * environment. A variable that is not set fails the run naming it (a setup without its
 * registry token fails later and less clearly); AgentDesk's own secrets and the repository's
 * credential are refused. Their values are among the run's secrets (jobs/environment/secrets.ts),
 * so the feed never shows them.
 */
export function setupVariables(
  names: readonly string[],
  o: { withheld?: readonly string[]; env?: Record<string, string | undefined>; purpose?: string } = {},
): Record<string, string> {
  const env = o.env ?? process.env;
  const purpose = o.purpose ?? "the environment's setup";
  const refused = names.filter((name) => WITHHELD.includes(name) || (o.withheld ?? []).includes(name));
  if (refused.length > 0) {
    throw new PermanentRunError(`${purpose} may not be given ${refused.join(", ")}: AgentDesk's own secrets and the repository's credential stay in the job process`);
  }
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new PermanentRunError(
      `${purpose} needs ${missing.join(", ")}, which ${missing.length === 1 ? "is" : "are"} not set on this job process`,
    );
  }
  return Object.fromEntries(names.map((name) => [name, env[name]!]));
}

export type EnvironmentScriptOptions = {
  script: string;
  /** Where it runs: the folder the sandbox makes writable (a workspace). */
  tree: string;
  /** Bound read-only at the same paths (the object stores the workspace's `.git` borrows). */
  readOnlyPaths: string[];
  /** The only hosts it reaches, through the filtering proxy. */
  hosts: string[];
  /** Given on top of the sandbox's allow-list (setupVariables). */
  variables: Record<string, string>;
  /** Its output becomes `log` events under this step. */
  stepId: string;
  emit: RunEmit;
  secrets: readonly string[];
  signal: AbortSignal;
  settings?: SandboxSettings;
  limits?: OutputLimits;
};

/**
 * Runs an environment script (setup or maintenance) to its end in the run's sandbox: bash with
 * `-e -o pipefail` (a failing command fails the script), the tree as its only writable folder,
 * network only to `hosts`, the allow-listed environment plus `variables`. Its output streams
 * to the feed under `stepId`, masked for the run's secrets. The run's signal stops it whole.
 */
export async function runEnvironmentScript(o: EnvironmentScriptOptions): Promise<ProcessOutcome> {
  const output = new CommandOutput(o.emit, o.stepId, o.secrets, o.limits ?? DEFAULT_OUTPUT_LIMITS);
  try {
    return await runSandboxed({
      program: "bash",
      args: ["-e", "-o", "pipefail", "-c", o.script],
      spec: { workspace: o.tree, readOnlyPaths: o.readOnlyPaths, networkHosts: o.hosts },
      env: o.variables,
      signal: o.signal,
      settings: o.settings,
      onOutput: (stream, chunk) => output.push(stream, chunk),
    });
  } finally {
    await output.end();
  }
}

/** How a script ended, for a message: "exit 3", "killed by SIGKILL". */
export function describeOutcome(outcome: ProcessOutcome): string {
  return outcome.exitCode !== null ? `exit ${outcome.exitCode}` : `killed by ${outcome.signal ?? "a signal"}`;
}
