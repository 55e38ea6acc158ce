import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeSandbox } from "../../jobs/sandbox/probe";
import { loadConfig } from "../../lib/config";
import { createRedis } from "../../lib/redis";
import { sandboxOffReason } from "../../lib/sandboxStatus";
import { liveWorkers } from "../../lib/workerDirectory";
import { eventually } from "../jobs/helpers";

const root = path.resolve(import.meta.dirname, "../..");
const config = loadConfig();
let redis: Redis;
/** A PATH with node and git but no bwrap. */
let binWithoutBwrap: string;

beforeAll(async () => {
  redis = createRedis(config.redisUrl, "worker");
  binWithoutBwrap = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-nobwrap-"));
  await fs.symlink(process.execPath, path.join(binWithoutBwrap, "node"));
  await fs.symlink("/usr/bin/git", path.join(binWithoutBwrap, "git"));
});
afterAll(async () => {
  await redis?.quit();
  await fs.rm(binWithoutBwrap, { recursive: true, force: true });
});

/** Starts the job process (node itself, so a kill reaches it); collects its log lines. */
function startJobProcess(env: Record<string, string>) {
  const proc = spawn(process.execPath, ["--import", "tsx", "jobs/main.ts"], {
    cwd: root,
    env: { ...process.env, WORKER_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  readline.createInterface({ input: proc.stdout! }).on("line", (line) => lines.push(line));
  readline.createInterface({ input: proc.stderr! }).on("line", (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { proc, lines, exited };
}

describe("the job process's start-up check of the sandbox", () => {
  it("passes on this machine (bwrap, namespaces, no network)", async () => {
    expect(await probeSandbox({ mode: "on", allowPrivateNetwork: true })).toBeNull();
  });

  it("refuses to start without bwrap, naming it and the SANDBOX=off escape hatch", async () => {
    const { lines, exited } = startJobProcess({ PATH: binWithoutBwrap, SANDBOX: "on" });
    expect(await exited).toBe(1);
    const text = lines.join("\n");
    expect(text).toMatch(/bwrap \(the bubblewrap package\) is not on PATH/);
    expect(text).toContain("SANDBOX=off");
    expect(text).not.toContain("job process ready");
    expect(await liveWorkers(redis, config.redisPrefix)).toEqual([]);
  });

  it("with SANDBOX=off starts without bwrap, warns, and advertises that it runs unsandboxed", async () => {
    const { proc, lines, exited } = startJobProcess({ PATH: binWithoutBwrap, SANDBOX: "off" });
    try {
      await eventually(async () => (lines.some((l) => l.includes("job process ready")) ? true : undefined));
      expect(lines.join("\n")).toMatch(/SANDBOX=off: run commands execute without a sandbox/);
      const adverts = await eventually(async () => {
        const live = await liveWorkers(redis, config.redisPrefix);
        return live.length > 0 ? live : undefined;
      });
      expect(adverts.map((a) => a.sandbox)).toEqual(["off"]);
      // What every page's banner and the create-run check go by.
      expect(sandboxOffReason({ sandbox: "on" }, adverts)).toMatch(/runs with SANDBOX=off/);
    } finally {
      proc.kill("SIGTERM");
      await exited;
    }
    expect(await liveWorkers(redis, config.redisPrefix)).toEqual([]);
  });
});
