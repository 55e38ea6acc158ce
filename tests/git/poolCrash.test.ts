import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attemptsDir, cleanupStaleAttempts, treeGitOptions } from "../../jobs/git/attempt";
import { runGit } from "../../jobs/git/exec";
import { mirrorPath } from "../../jobs/git/mirror";
import { cleanupStalePoolEntries, fillPool, poolRefillsSettled, workspacePoolDir } from "../../jobs/git/workspacePool";
import { silentLogger } from "../../jobs/logger";
import { prepareWorkspace, releaseWorkspace, type PrepareWorkspaceOptions, type Workspace } from "../../jobs/workspace";
import { loadConfig } from "../../lib/config";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";

/**
 * A job process SIGKILLed (with its git, as a container's processes die together) while it
 * fills the pool or while it claims an entry: the pool never hands out a half-made entry,
 * every whole entry is exactly its commit, and start-up cleanup removes what the dead process
 * left. Where the kill lands is up to the scheduler; the assertions hold wherever it lands.
 */
const config = loadConfig();
const ENTRY = /^\d{13}-([0-9a-f]{40})-[0-9a-f]{8}$/;
const FILES = 3000;
let repo: TestRepo;
let mirror: string;
let pool: string;
const open: Workspace[] = [];

beforeAll(async () => {
  // Enough files that a fill or a move of every file takes long enough to be killed in.
  const files: Record<string, string> = {};
  for (let i = 0; i < FILES; i++) files[`src/d${i % 30}/f${i}.txt`] = `file ${i}\n`;
  repo = await createTestRepo({ files });
  mirror = mirrorPath(config.dataDir, repo.url);
  pool = workspacePoolDir(config.dataDir, mirror);
});
afterAll(async () => {
  await poolRefillsSettled();
  for (const ws of open) await releaseWorkspace(ws, { endRun: true });
  await repo?.remove();
});

function runOptions(): PrepareWorkspaceOptions {
  const runId = `crash${crypto.randomBytes(5).toString("hex")}`;
  return { dataDir: config.dataDir, allowLocalRepos: true, runId, repo: { name: "crash", url: repo.url }, branch: `agentdesk/${runId}`, baseBranch: "main" };
}

async function prepare(options: PrepareWorkspaceOptions): Promise<Workspace> {
  const ws = await prepareWorkspace(options);
  open.push(ws);
  return ws;
}

/** tests/git/support/poolChild.ts in a process group of its own, so the kill takes its git too. */
function startChild(mode: "fill" | "prepare", options: object): { child: ChildProcess; output: () => string; exited: Promise<void> } {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/git/support/poolChild.ts", mode, JSON.stringify(options)], {
    cwd: path.resolve(import.meta.dirname, "../.."),
    env: process.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return { child, output: () => out, exited };
}

async function killGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // Already gone.
  }
  await exited;
}

/** Polls (no deadline of its own: the test's timeout bounds it) until `condition` or the child ends. */
async function until(condition: () => Promise<boolean>, exited: Promise<void>): Promise<void> {
  let ended = false;
  void exited.then(() => (ended = true));
  while (!ended && !(await condition())) await new Promise((r) => setTimeout(r, 2));
}

const names = async () => (await fs.readdir(pool).catch(() => [] as string[])).sort();
const halfMade = async () => (await names()).filter((n) => n.startsWith("tmp-"));

/** Every whole entry holds exactly its commit: no file missing, changed or extra, index and tree agree. */
async function expectEntriesWhole(): Promise<string[]> {
  const whole = (await names()).filter((n) => ENTRY.test(n));
  for (const name of whole) {
    const sha = ENTRY.exec(name)![1]!;
    const options = treeGitOptions({ gitDir: mirror, workspace: path.join(pool, name, "workspace"), indexFile: path.join(pool, name, "index") });
    expect((await runGit(["ls-files", "--others", "--modified", "--deleted"], options)).stdout).toBe("");
    expect((await runGit(["diff-index", "--cached", "--name-only", sha], options)).stdout).toBe("");
    expect((await runGit(["ls-files"], options)).stdout.split("\n").filter(Boolean)).toHaveLength(await fileCount(sha));
  }
  return whole;
}

const fileCount = async (sha: string) => (await git(repo.url, "ls-tree", "-r", "--name-only", sha)).split("\n").length;

async function expectExactCheckout(ws: Workspace): Promise<void> {
  expect((await runGit(["status", "--porcelain", "--untracked-files=all"], treeGitOptions(ws))).stdout).toBe("");
  expect((await runGit(["diff-index", "--cached", "--name-only", ws.headSha], treeGitOptions(ws))).stdout).toBe("");
  expect(await git(ws.path, "status", "--porcelain", "--untracked-files=all")).toBe("");
}

describe("a job process killed while it works on the pool", () => {
  it("killed while filling: its half-made entry is never claimed, and start-up cleanup removes it", async () => {
    await prepare(runOptions()); // the mirror
    await poolRefillsSettled();
    let left: string[] = [];
    // The kill must land while an entry is being made; run again in the rare case it did not.
    for (let tries = 0; tries < 5 && left.length === 0; tries++) {
      const { child, exited } = startChild("fill", { dataDir: config.dataDir, mirror, baseBranch: "main", size: 40 });
      await until(async () => {
        for (const name of await halfMade()) {
          const files = await fs.readdir(path.join(pool, name, "workspace")).catch(() => []);
          if (files.length > 0) return true;
        }
        return false;
      }, exited);
      await killGroup(child, exited);
      left = await halfMade();
    }
    expect(left.length).toBeGreaterThan(0);
    await expectEntriesWhole();

    // This process prepares runs meanwhile: whole entries only, exact files, half-made ones untouched.
    for (let i = 0; i < 3; i++) {
      const ws = await prepare({ ...runOptions(), pool: { size: 1, logger: silentLogger } });
      await expectExactCheckout(ws);
    }
    await poolRefillsSettled();
    expect((await halfMade()).filter((n) => left.includes(n))).toEqual(left);

    // Start-up: what the dead process left goes (half-made and whole alike); this process's entries stay.
    const removed = await cleanupStalePoolEntries(config.dataDir, silentLogger);
    expect(removed).toEqual(expect.arrayContaining(left.map((n) => path.join(pool, n))));
    expect((await names()).filter((n) => !ENTRY.test(n))).toEqual(["base.json"]);
    for (const name of await expectEntriesWhole()) {
      const owner = JSON.parse(await fs.readFile(path.join(pool, name, "owner.json"), "utf8")) as { pid: number };
      expect(owner.pid).toBe(process.pid);
    }
  });

  it("killed while claiming: the entry it took is gone from the pool, its attempt is cleaned up, the next run is exact", async () => {
    await prepare(runOptions());
    let killedMidway = false;
    for (let tries = 0; tries < 5 && !killedMidway; tries++) {
      // An entry at an older base, so the claimant has every file to rewrite after its claim.
      await poolRefillsSettled();
      await fillPool({ dataDir: config.dataDir, mirror, baseBranch: "main", size: 1, logger: silentLogger });
      const [entry] = (await names()).filter((n) => ENTRY.test(n));
      expect(entry).toBeDefined();
      const changed: Record<string, string> = {};
      for (let i = 0; i < FILES; i++) changed[`src/d${i % 30}/f${i}.txt`] = `file ${i}, try ${tries}\n`;
      await repo.commit(changed, `rewrite every file (${tries})`);

      const options = runOptions();
      const { child, output, exited } = startChild("prepare", options);
      await until(async () => !(await names()).includes(entry!), exited);
      await killGroup(child, exited);
      killedMidway = !output().includes("done");
      // Wherever it died: its entry never went back to the pool, and every entry there is whole.
      expect(await names()).not.toContain(entry);
      await expectEntriesWhole();

      // Start-up cleanup removes the dead process's attempt folder (with what it claimed) and its half-made entries.
      const attempts = attemptsDir(config.dataDir, options.runId);
      const leftAttempts = await fs.readdir(attempts).catch(() => [] as string[]);
      expect(leftAttempts).toHaveLength(1);
      const removed = await cleanupStaleAttempts(config.dataDir, silentLogger);
      expect(removed).toEqual(expect.arrayContaining(leftAttempts.map((n) => path.join(attempts, n))));
      await cleanupStalePoolEntries(config.dataDir, silentLogger);
      expect(await halfMade()).toEqual([]);
    }
    expect(killedMidway).toBe(true);
    const next = await prepare({ ...runOptions(), pool: { size: 1, logger: silentLogger } });
    expect(next.headSha).toBe(await repo.remoteSha("main"));
    await expectExactCheckout(next);
  });
});
