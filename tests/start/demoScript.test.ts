import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "../jobs/helpers";
import { freePort, startOwnRedis } from "./support";

const root = path.resolve(import.meta.dirname, "../..");
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Field 5 of /proc/<pid>/stat, after the command name in parentheses. */
const statFields = (pid: number) => fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
const processGroupOf = (pid: number) => Number(statFields(pid)[2]);
const childrenOf = (pid: number) =>
  fs
    .readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((p) => {
      try {
        return Number(statFields(p)[1]) === pid;
      } catch {
        return false;
      }
    });

describe("npm run demo", () => {
  it("stops gracefully on one Ctrl-C (SIGINT to its whole process group, as a terminal sends it)", async () => {
    const redisPort = await freePort();
    cleanups.push(await startOwnRedis(redisPort, "noeviction"));
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-demo-"));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    // A group of its own, like a shell's foreground job: the test signals the group.
    const demo = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        PORT: String(await freePort()),
        WORKER_PORT: String(await freePort()),
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        DATA_DIR: dataDir,
        DATABASE_URL: "",
      },
    });
    cleanups.push(() => {
      if (demo.exitCode === null) process.kill(-demo.pid!, "SIGKILL");
    });
    let output = "";
    demo.stdout.on("data", (d) => (output += d));
    demo.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => demo.on("exit", (code) => resolve(code)));

    // Once npm start is under way (its database step), the terminal's Ctrl-C.
    await eventually(async () => output.includes("[start] Database:") || undefined, 60_000);
    // npm start must not be in the group the terminal signals: it would get that SIGINT and the
    // demo's, and two signals at once are racy (merged if both are pending, else "SIGINT again").
    // (tsx may have an esbuild service among the demo's children too.)
    const start = childrenOf(demo.pid!).filter((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("scripts/start.ts"));
    expect(start).toHaveLength(1);
    expect(processGroupOf(start[0]!)).not.toBe(processGroupOf(demo.pid!));
    process.kill(-demo.pid!, "SIGINT");
    expect(await exited).toBe(0);
    expect(output).not.toContain("again: killing");
  }, 120_000);
});
