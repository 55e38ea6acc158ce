import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { fillPool, poolRefillsSettled, workspacePoolDir } from "../../jobs/git/workspacePool";
import { silentLogger } from "../../jobs/logger";
import { prepareWorkspace, releaseWorkspace } from "../../jobs/workspace";
import { loadConfig } from "../../lib/config";
import { createTestRepo, type TestRepo } from "../support/gitRepo";

/**
 * The job process's start-up (jobs/main.ts) with a pool a dead process left: its entries (whole
 * and half-made) go, and the pool is made again at the base branch its runs last used.
 */
const root = path.resolve(import.meta.dirname, "../..");
const config = loadConfig();
const ENTRY = /^\d{13}-([0-9a-f]{40})-[0-9a-f]{8}$/;
let repo: TestRepo | undefined;

afterAll(async () => {
  await repo?.remove();
});

async function exitedPid(): Promise<number> {
  const child = spawn("true");
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid!;
}

describe("job process start-up and the workspace pool", () => {
  it("removes a dead process's entries and refills the pool at the last base branch", async () => {
    repo = await createTestRepo({ files: { "README.md": "hello\n" } });
    const feature = await repo.commit({ "feature.txt": "on the feature branch\n" }, "feature", "feature");
    const runId = `start${crypto.randomBytes(4).toString("hex")}`;
    const ws = await prepareWorkspace({ dataDir: config.dataDir, allowLocalRepos: true, runId, repo: { name: "s", url: repo.url }, branch: `agentdesk/${runId}`, baseBranch: "feature" });
    await releaseWorkspace(ws, { endRun: true });
    const pool = workspacePoolDir(config.dataDir, ws.mirror);
    await fillPool({ dataDir: config.dataDir, mirror: ws.mirror, baseBranch: "feature", size: 1, logger: silentLogger });
    await poolRefillsSettled();
    // What a dead job process left: a whole entry and a half-made one, both its own.
    const deadPid = await exitedPid();
    const [whole] = (await fs.readdir(pool)).filter((n) => ENTRY.test(n));
    const halfMade = path.join(pool, `tmp-${crypto.randomUUID()}`);
    await fs.mkdir(path.join(halfMade, "workspace"), { recursive: true });
    for (const dir of [path.join(pool, whole!), halfMade]) {
      await fs.writeFile(path.join(dir, "owner.json"), JSON.stringify({ hostname: os.hostname(), pid: deadPid, instance: "gone", createdAt: new Date().toISOString() }));
    }

    // Node itself (not the tsx wrapper) is the job process, so the owner's pid is this child's.
    const proc = spawn(process.execPath, ["--import", "tsx", "jobs/main.ts"], {
      cwd: root,
      env: { ...process.env, WORKER_PORT: "0", WORKSPACE_POOL_SIZE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
    try {
      // The refill starts before "ready"; its entry, owned by the new process, appears soon after.
      await new Promise<void>((resolve, reject) => {
        readline.createInterface({ input: proc.stdout! }).on("line", (line) => {
          if ((JSON.parse(line) as { message: string }).message === "job process ready") resolve();
        });
        void exited.then((code) => reject(new Error(`job process exited (${code})`)));
      });
      let entries: string[] = [];
      while (entries.length === 0) {
        entries = (await fs.readdir(pool)).filter((n) => ENTRY.test(n) && n !== whole);
        if (entries.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(ENTRY.exec(entries[0]!)![1]).toBe(feature);
      const owner = JSON.parse(await fs.readFile(path.join(pool, entries[0]!, "owner.json"), "utf8")) as { pid: number };
      expect(owner.pid).toBe(proc.pid);
      const names = await fs.readdir(pool);
      expect(names).not.toContain(whole);
      expect(names).not.toContain(path.basename(halfMade));
    } finally {
      proc.kill("SIGTERM");
      await exited;
    }
  });
});
