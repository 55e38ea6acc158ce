import { runSandboxed } from "../sandbox/sandbox";
import type { SandboxSpec } from "../sandbox/spec";
import type { ProcessOutcome } from "./processGroup";

/**
 * `bash -c <command>` in a run's workspace, inside the run's sandbox (jobs/sandbox): its own
 * namespaces, an allow-listed environment, a throwaway HOME and /tmp, no network beyond the
 * repository's allowed hosts. Stopped whole on `signal`. The `cli` executor and the agent's
 * `shell` tool both run commands this way.
 */
export async function runBashCommand(opts: {
  command: string;
  sandbox: SandboxSpec;
  signal: AbortSignal;
  onOutput: (stream: "stdout" | "stderr", chunk: Buffer) => void;
}): Promise<ProcessOutcome> {
  return runSandboxed({
    program: "bash",
    args: ["-c", opts.command],
    spec: opts.sandbox,
    signal: opts.signal,
    onOutput: opts.onOutput,
  });
}
