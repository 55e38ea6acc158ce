import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";

const root = path.resolve(import.meta.dirname, "../..");

/** A job process started from tests/fencing/jobProcess.ts, with its output kept. */
export type JobProcess = { proc: ChildProcess; pid: number; lines: string[]; kill(signal: NodeJS.Signals): void };

/** Starts a real job process with the test file's environment; resolves once it takes jobs. */
export async function startJobProcess(env: Record<string, string> = {}): Promise<JobProcess> {
  // One OS process (node with tsx's loader, not the tsx CLI, which runs node as a child), so
  // signals reach the worker itself.
  const proc = spawn(process.execPath, ["--import", "tsx", "tests/fencing/jobProcess.ts"], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  proc.stderr!.on("data", (d: Buffer) => lines.push(d.toString()));
  await new Promise<void>((resolve, reject) => {
    readline.createInterface({ input: proc.stdout! }).on("line", (line) => {
      lines.push(line);
      if (line === "ready") resolve();
    });
    proc.on("exit", (code) => reject(new Error(`job process exited (${code}): ${lines.join("\n")}`)));
  });
  return { proc, pid: proc.pid!, lines, kill: (signal) => void proc.kill(signal) };
}

/** Kills a job process (and lets a stopped one die too) unless it already exited. */
export async function killJobProcess(p: JobProcess | undefined): Promise<void> {
  if (!p || p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  const exited = new Promise((resolve) => p.proc.once("exit", resolve));
  p.proc.kill("SIGKILL");
  await exited;
}
