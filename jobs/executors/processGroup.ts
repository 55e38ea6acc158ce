import { spawn } from "node:child_process";

export type ProcessGroupOptions = {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  onOutput(stream: "stdout" | "stderr", chunk: Buffer): void;
  /** Between SIGTERM and SIGKILL when stopping. */
  killGraceMs?: number;
};

export type ProcessOutcome = { exitCode: number | null; signal: NodeJS.Signals | null };

/**
 * Runs a program in its own process group (`detached`), so stopping it stops everything it
 * started, including a backgrounded `sleep 100 &`. On abort: SIGTERM to the group, SIGKILL
 * after a grace period. When the program exits on its own, whatever it left running in its
 * group is stopped the same way: a run's processes do not outlive the run.
 */
export function runProcessGroup(options: ProcessGroupOptions): Promise<ProcessOutcome> {
  const { file, args, cwd, env, signal, onOutput, killGraceMs = 1_000 } = options;
  return new Promise<ProcessOutcome>((resolve, reject) => {
    const child = spawn(file, args, {
      cwd,
      // Next.js's types make NODE_ENV required in ProcessEnv; the child gets exactly `env`.
      env: env as NodeJS.ProcessEnv,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let outcome: ProcessOutcome | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let closeTimer: NodeJS.Timeout | undefined;

    /** Whether the group still had a process to signal. */
    const signalGroup = (sig: NodeJS.Signals): boolean => {
      if (child.pid === undefined) return false;
      try {
        process.kill(-child.pid, sig);
        return true;
      } catch (e) {
        // ESRCH: the whole group is already gone.
        if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
        return false;
      }
    };
    const stopGroup = () => {
      if (signalGroup("SIGTERM")) {
        // Unref'd: a process that ignores SIGTERM must not keep the job process alive either.
        killTimer ??= setTimeout(() => signalGroup("SIGKILL"), killGraceMs).unref();
      }
    };
    const onAbort = () => stopGroup();
    if (signal.aborted) stopGroup();
    else signal.addEventListener("abort", onAbort, { once: true });

    child.stdout.on("data", (chunk: Buffer) => onOutput("stdout", chunk));
    child.stderr.on("data", (chunk: Buffer) => onOutput("stderr", chunk));

    child.on("error", (e) => {
      finish();
      reject(new Error(`could not start ${file}: ${e.message}`, { cause: e }));
    });
    child.on("exit", (exitCode, exitSignal) => {
      outcome = { exitCode, signal: exitSignal };
      // Leftover background processes would keep the pipes open (and the run alive).
      stopGroup();
      // A process that escaped the group (setsid) may still hold the pipes: stop waiting for them.
      closeTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, killGraceMs + 500);
    });
    child.on("close", () => {
      finish();
      resolve(outcome ?? { exitCode: child.exitCode, signal: child.signalCode });
    });

    // The SIGKILL timer stays: something of the group may still be running.
    function finish() {
      signal.removeEventListener("abort", onAbort);
      if (closeTimer) clearTimeout(closeTimer);
    }
  });
}
