import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

const root = path.resolve(import.meta.dirname, "../..");

export type JobProcess = { proc: ChildProcess; worker: string; exited: Promise<number | null> };

/**
 * `tsx jobs/main.ts` as a real child process with the test's environment plus `env`;
 * resolves once it says it is ready. `worker` is its name in `run.started` (host:pid).
 */
export async function startJobProcess(env: Record<string, string>): Promise<JobProcess> {
  // Node itself with tsx's loader, not the tsx wrapper: the pid is the job process's own, so
  // SIGKILL kills it (the wrapper would die alone and leave its child running).
  const proc = spawn(process.execPath, ["--import", "tsx", "jobs/main.ts"], {
    cwd: root,
    env: { ...process.env, WORKER_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  proc.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    readline.createInterface({ input: proc.stdout! }).on("line", (line) => {
      output.push(line);
      if (line.includes('"job process ready"')) resolve();
    });
    void exited.then((code) => reject(new Error(`job process exited (${code}) before it was ready:\n${output.join("\n")}`)));
  });
  return { proc, worker: `${os.hostname()}:${proc.pid}`, exited };
}
