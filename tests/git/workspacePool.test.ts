import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { treeGitOptions } from "../../jobs/git/attempt";
import { commitAll } from "../../jobs/git/commit";
import { runGit } from "../../jobs/git/exec";
import { mirrorPath } from "../../jobs/git/mirror";
import { fillPool, poolRefillsSettled, workspacePoolDir, type PoolSettings } from "../../jobs/git/workspacePool";
import { createLogger, silentLogger } from "../../jobs/logger";
import { prepareWorkspace, releaseWorkspace, type PrepareWorkspaceOptions, type Workspace } from "../../jobs/workspace";
import { loadConfig } from "../../lib/config";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";

/**
 * The workspace pool (jobs/git/workspacePool.ts): prepared checkouts claimed by one run each,
 * brought exactly to the run's commit, never given back, and never half-made when claimed,
 * whatever a run did or a crash left.
 */
const config = loadConfig();
const pool: PoolSettings = { size: 1, logger: silentLogger };
const ENTRY = /^\d{13}-[0-9a-f]{40}-[0-9a-f]{8}$/;
let scratch: string;
const open: Workspace[] = [];
const repos: TestRepo[] = [];

beforeAll(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-pool-"));
  await git(scratch, "init", "--quiet", "--bare", "objects.git");
});
afterAll(async () => {
  await poolRefillsSettled();
  for (const ws of open) await releaseWorkspace(ws, { endRun: true });
  for (const repo of repos) await repo.remove();
  await fs.rm(scratch, { recursive: true, force: true });
});

async function newRepo(files: Record<string, string>): Promise<TestRepo> {
  const repo = await createTestRepo({ files });
  repos.push(repo);
  return repo;
}

/** `withPool` null: the pool is not used at all (no claim, no refill). */
function runOptions(repo: TestRepo, withPool: PoolSettings | null = pool): PrepareWorkspaceOptions {
  const runId = `pool${crypto.randomBytes(5).toString("hex")}`;
  return {
    dataDir: config.dataDir,
    allowLocalRepos: true,
    runId,
    repo: { name: "pooled", url: repo.url },
    branch: `agentdesk/${runId}`,
    baseBranch: "main",
    ...(withPool ? { pool: withPool } : {}),
  };
}

async function prepare(options: PrepareWorkspaceOptions): Promise<Workspace> {
  const ws = await prepareWorkspace(options);
  open.push(ws);
  return ws;
}

/**
 * The tree a folder's files make, exactly (content, modes, symlinks, nested repositories as
 * gitlinks), ignoring only a top-level `.git`: written by a scratch repository of its own.
 */
async function treeOfFolder(dir: string): Promise<string> {
  const index = path.join(scratch, `index-${crypto.randomUUID()}`);
  const options = { gitDir: path.join(scratch, "objects.git"), workTree: dir, env: { GIT_INDEX_FILE: index } };
  await runGit(["add", "--all", "--force", "--", "."], options);
  const { stdout } = await runGit(["write-tree"], options);
  await fs.rm(index, { force: true });
  return stdout.trim();
}

const treeOfCommit = (repo: TestRepo, sha: string) => git(repo.url, "rev-parse", `${sha}^{tree}`);

async function poolNames(repo: TestRepo): Promise<string[]> {
  return (await fs.readdir(workspacePoolDir(config.dataDir, mirrorPath(config.dataDir, repo.url))).catch(() => [])).sort();
}

/** Every whole entry holds exactly its commit's files; returns the names of the whole ones. */
async function expectEntriesWhole(repo: TestRepo): Promise<string[]> {
  const dir = workspacePoolDir(config.dataDir, mirrorPath(config.dataDir, repo.url));
  const whole = (await poolNames(repo)).filter((n) => ENTRY.test(n));
  for (const name of whole) {
    const sha = name.split("-")[1]!;
    expect(await treeOfFolder(path.join(dir, name, "workspace"))).toBe(await treeOfCommit(repo, sha));
  }
  return whole;
}

/** The platform's view (its index) and the run's own git both see the files as the commit, nothing changed. */
async function expectCleanCheckout(ws: Workspace): Promise<void> {
  expect(await treeOfFolder(ws.path)).toBe(await git(ws.gitDir, "rev-parse", `${ws.headSha}^{tree}`));
  expect((await runGit(["status", "--porcelain", "--untracked-files=all"], treeGitOptions(ws))).stdout).toBe("");
  expect((await runGit(["diff-index", "--cached", "--name-only", ws.headSha], treeGitOptions(ws))).stdout).toBe("");
  expect(await git(ws.path, "status", "--porcelain", "--untracked-files=all")).toBe("");
}

describe("the workspace pool", () => {
  it("gives two runs prepared back to back their own entries, in separate folders", async () => {
    const repo = await newRepo({ "README.md": "hello\n", "src/a.txt": "a\n" });
    const first = await prepare(runOptions(repo, null));
    expect(first.preparation.pooledFrom).toBeNull();
    await fillPool({ dataDir: config.dataDir, mirror: first.mirror, baseBranch: "main", size: 2, logger: silentLogger });
    const entries = await expectEntriesWhole(repo);
    expect(entries).toHaveLength(2);

    const settings = { size: 2, logger: silentLogger };
    const [a, b] = await Promise.all([prepare(runOptions(repo, settings)), prepare(runOptions(repo, settings))]);
    expect(a!.preparation.pooledFrom).toBe(first.baseSha);
    expect(b!.preparation.pooledFrom).toBe(first.baseSha);
    expect(a!.path).not.toBe(b!.path);
    // The refills made the pool whole again (a claim may take an entry the other's refill made).
    await poolRefillsSettled();
    expect(await expectEntriesWhole(repo)).toHaveLength(2);
    // Separate files, not links to the same ones: a write in one is not in the other nor in the pool.
    await fs.writeFile(path.join(a!.path, "src/a.txt"), "changed by run a\n");
    expect(await fs.readFile(path.join(b!.path, "src/a.txt"), "utf8")).toBe("a\n");
    await expectEntriesWhole(repo);
    await expectCleanCheckout(b!);
  });

  it("brings an entry of an older base exactly to the new base: changed, added, deleted, modes, file ⇄ folder, links", async () => {
    const repo = await newRepo({
      "README.md": "hello\n",
      "change.txt": "before\n",
      "gone.txt": "deleted later\n",
      "tool.sh": "#!/bin/sh\necho tool\n",
      "becomes-dir": "a file first\n",
      "dir-becomes-file/inner.txt": "inside\n",
      "deep/a/b/c.txt": "deep\n",
    });
    const first = await prepare(runOptions(repo, null));
    const oldSha = first.baseSha;
    await fillPool({ dataDir: config.dataDir, mirror: first.mirror, baseBranch: "main", size: 1, logger: silentLogger });
    expect(await expectEntriesWhole(repo)).toHaveLength(1);

    // The base moves on with every kind of change.
    const work = repo.work;
    await fs.chmod(path.join(work, "tool.sh"), 0o755);
    await fs.rm(path.join(work, "becomes-dir"));
    await fs.rm(path.join(work, "dir-becomes-file"), { recursive: true });
    await fs.rm(path.join(work, "deep"), { recursive: true });
    await fs.symlink("README.md", path.join(work, "link-to-readme"));
    const newSha = await repo.commit(
      { "change.txt": "after\n", "gone.txt": null, "added/new.txt": "new\n", "becomes-dir/inside.txt": "now a folder\n", "dir-becomes-file": "now a file\n" },
      "every kind of change",
    );

    const ws = await prepare(runOptions(repo));
    expect(ws.preparation.pooledFrom).toBe(oldSha);
    expect(ws.headSha).toBe(newSha);
    expect(await treeOfFolder(ws.path)).toBe(await treeOfCommit(repo, newSha));
    expect((await fs.stat(path.join(ws.path, "tool.sh"))).mode & 0o111).not.toBe(0);
    expect(await fs.readlink(path.join(ws.path, "link-to-readme"))).toBe("README.md");
    await expect(fs.access(path.join(ws.path, "deep"))).rejects.toThrow();
    await expectCleanCheckout(ws);
    // The run's own git starts on its branch at the new base.
    expect(await git(ws.path, "rev-parse", "HEAD", "origin/main")).toBe(`${newSha}\n${newSha}`);
    expect(await git(ws.path, "symbolic-ref", "HEAD")).toBe(`refs/heads/${ws.branch}`);
    expect(await git(ws.path, "reflog", "--format=%H")).toBe(newSha);
  });

  it("checks out every file when an entry cannot be moved (a file not as its index says), never handing the entry's files on", async () => {
    const repo = await newRepo({ "README.md": "hello\n", "data.txt": "v1\n" });
    const first = await prepare(runOptions(repo, null));
    await fillPool({ dataDir: config.dataDir, mirror: first.mirror, baseBranch: "main", size: 1, logger: silentLogger });
    const [entry] = await expectEntriesWhole(repo);
    const entryDir = path.join(workspacePoolDir(config.dataDir, first.mirror), entry!);
    // Changed behind the index's back (only the platform writes here; this stands for a disk fault).
    await fs.writeFile(path.join(entryDir, "workspace", "data.txt"), "tampered, and longer\n");
    await fs.writeFile(path.join(entryDir, "workspace", "stray.txt"), "not in any commit\n");
    const newSha = await repo.commit({ "data.txt": "v2\n" }, "v2");

    const lines: string[] = [];
    const ws = await prepare(runOptions(repo, { size: 1, logger: createLogger([], {}, (line) => lines.push(line)) }));
    expect(ws.preparation.pooledFrom).toBeNull();
    expect(ws.headSha).toBe(newSha);
    expect(await treeOfFolder(ws.path)).toBe(await treeOfCommit(repo, newSha));
    await expectCleanCheckout(ws);
    expect(lines.join("\n")).toContain("could not bring a pooled workspace to the run's commit");
  });

  it("resumes a run at its checkpoint from an entry of the base: the run's own commit, exactly", async () => {
    const repo = await newRepo({ "README.md": "hello\n", "src/a.txt": "a\n" });
    const options = runOptions(repo, null);
    const first = await prepare(options);
    await fs.writeFile(path.join(first.path, "src/a.txt"), "the run's work\n");
    await fs.rm(path.join(first.path, "README.md"));
    const { headSha } = await commitAll({ tree: first, author: config.gitAuthor, message: "checkpoint\n" });
    await fillPool({ dataDir: config.dataDir, mirror: first.mirror, baseBranch: "main", size: 1, logger: silentLogger });

    const resumed = await prepare({ ...options, pool, resumeAt: { headSha, baseSha: first.baseSha, loadBundle: () => Promise.resolve(null) } });
    expect(resumed.preparation.pooledFrom).toBe(first.baseSha);
    expect(resumed.headSha).toBe(headSha);
    expect(await treeOfFolder(resumed.path)).toBe(await git(first.gitDir, "rev-parse", `${headSha}^{tree}`));
    await expectCleanCheckout(resumed);
    // The pool is refilled from the mirror's base, never from the run's commit.
    await poolRefillsSettled();
    const entries = await expectEntriesWhole(repo);
    expect(entries.map((n) => n.split("-")[1])).toEqual([first.baseSha]);
  });

  it("falls back to a checkout of every file when the pool is empty, and refills it", async () => {
    const repo = await newRepo({ "README.md": "hello\n" });
    const ws = await prepare(runOptions(repo));
    expect(ws.preparation.pooledFrom).toBeNull();
    await expectCleanCheckout(ws);
    await poolRefillsSettled();
    expect(await expectEntriesWhole(repo)).toHaveLength(1);
    // A pool of size 0 is off: nothing claimed, nothing made.
    const off = await prepare(runOptions(repo, { size: 0, logger: silentLogger }));
    expect(off.preparation.pooledFrom).toBeNull();
    expect(await expectEntriesWhole(repo)).toHaveLength(1);
  });
});
