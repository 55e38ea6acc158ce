import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import type { Readable, Writable } from "node:stream";

export type ExitInfo = { code: number | null; signal: NodeJS.Signals | null };

export type ManagedChild = {
  name: string;
  pid: number;
  exited: Promise<ExitInfo>;
  hasExited: () => boolean;
  /** SIGTERM, then SIGKILL to the whole process group after `graceMs`. */
  stop: (graceMs: number) => Promise<ExitInfo>;
  /** SIGKILL to the whole process group, now. */
  kill: () => void;
};

export function binPath(root: string, name: string): string {
  return path.join(root, "node_modules", ".bin", name);
}

export function describeExit(info: ExitInfo): string {
  return info.signal ? `killed by ${info.signal}` : `exit code ${info.code}`;
}

function prefixLines(from: Readable, prefix: string, to: Writable): void {
  const lines = readline.createInterface({ input: from, crlfDelay: Infinity });
  lines.on("line", (line) => to.write(`${prefix}${line}\n`));
}

/**
 * Spawns a child in its own process group. A terminal's Ctrl-C reaches the whole foreground
 * group at once; detaching means the supervisor alone decides the order (web and worker
 * first, Redis last, so the worker can finish its shutdown against a live Redis).
 */
export function spawnChild(
  name: string,
  command: string,
  args: string[],
  // `stdin`: text written to the child's standard input, then closed (a secret that must not
  // appear in its command line, for one).
  options: { cwd: string; env: NodeJS.ProcessEnv; prefix?: string; stdin?: string },
): Promise<ManagedChild> {
  const prefix = options.prefix ?? `[${name}] `;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (options.stdin !== undefined) {
    // EPIPE if the child exits before reading; its exit is reported through `exited`.
    child.stdin!.on("error", () => {});
    child.stdin!.end(options.stdin);
  }
  return new Promise((resolve, reject) => {
    child.once("error", (err) => reject(new Error(`Could not start ${name} (${command}): ${err.message}`)));
    child.once("spawn", () => {
      const pid = child.pid as number;
      prefixLines(child.stdout!, prefix, process.stdout);
      prefixLines(child.stderr!, prefix, process.stderr);
      let exitInfo: ExitInfo | undefined;
      const exited = new Promise<ExitInfo>((done) => {
        child.once("exit", (code, signal) => {
          exitInfo = { code, signal };
          done(exitInfo);
        });
      });
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          process.kill(-pid, signal);
        } catch (err) {
          // ESRCH: nobody is left in the group, which is the goal.
          if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
        }
      };
      const handle: ManagedChild = {
        name,
        pid,
        exited,
        hasExited: () => exitInfo !== undefined,
        kill: () => signalGroup("SIGKILL"),
        stop: async (graceMs) => {
          let timer: NodeJS.Timeout | undefined;
          if (!exitInfo) {
            // Only the leader gets SIGTERM: tsx and next relay it to their own children, and a
            // second copy would make a graceful shutdown look like an impatient one.
            child.kill("SIGTERM");
            timer = setTimeout(() => {
              process.stderr.write(`${prefix}did not stop within ${Math.round(graceMs / 1000)} s; killing it\n`);
              signalGroup("SIGKILL");
            }, graceMs);
          }
          const info = await exited;
          clearTimeout(timer);
          // A grandchild the leader left behind would keep holding its port.
          signalGroup("SIGKILL");
          return info;
        },
      };
      resolve(handle);
    });
  });
}
