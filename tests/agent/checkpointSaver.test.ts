import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckpointSaver, loadRunCheckpoint, type CheckpointSaver } from "../../jobs/agent/checkpoint";
import { editFileTool } from "../../jobs/agent/tools/editFile";
import type { ToolContext } from "../../jobs/agent/tools/types";
import { writeFileTool } from "../../jobs/agent/tools/writeFile";
import { excludeFromCommits } from "../../jobs/environment/files";
import { recordSecretFiles } from "../../jobs/environment/secretFiles";
import { PermanentRunError } from "../../jobs/errors";
import { loadRunBundle } from "../../jobs/git/bundle";
import type { WrittenFile } from "../../jobs/git/knownFiles";
import { prepareWorkspace, releaseWorkspace, type Workspace } from "../../jobs/workspace";
import { loadConfig } from "../../lib/config";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import { createRedis } from "../../lib/redis";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";

/**
 * The checkpoint saver with known files (the agent's file tools): real run repository and
 * attempt index (prepareWorkspace), real Redis, real file tools.
 */
const config = loadConfig();
let repo: TestRepo;
let redis: Redis;
let log: EventLog;
let tmp: string;
let counter = 0;
const open: Workspace[] = [];

beforeAll(async () => {
  repo = await createTestRepo({
    files: { "README.md": "hello\n", "src/app.js": "export const a = 1;\n", ".gitignore": "build/\n*.log\n" },
  });
  // Tracked although .gitignore matches it: `add --all` keeps staging its changes.
  await fs.writeFile(path.join(repo.work, "keep.log"), "tracked though ignored\n");
  await git(repo.work, "add", "--force", "keep.log");
  await git(repo.work, "commit", "--quiet", "-m", "a tracked log");
  await git(repo.work, "push", "--quiet", "origin", "HEAD:refs/heads/main");
  redis = createRedis(config.redisUrl, "worker");
  log = createEventLog(redis, config.redisPrefix);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-saver-"));
});

afterAll(async () => {
  for (const ws of open) await releaseWorkspace(ws, { endRun: true });
  await redis?.quit();
  await repo?.remove();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

type Run = { ws: Workspace; runId: string; saver: CheckpointSaver };

async function run(): Promise<Run> {
  counter += 1;
  const runId = `saver-${process.pid}-${counter}`;
  const ws = await prepareWorkspace({
    dataDir: config.dataDir,
    allowLocalRepos: true,
    runId,
    repo: { name: "test", url: repo.url },
    branch: `agentdesk/saver-${process.pid}-${counter}`,
    baseBranch: "main",
  });
  open.push(ws);
  const saver = createCheckpointSaver({ log, runId, tree: ws, branch: ws.branch, baseSha: ws.baseSha, author: config.gitAuthor, worker: "test" });
  return { ws, runId, saver };
}

const toolContext = (ws: Workspace): ToolContext => ({
  workspace: ws.path,
  sandbox: { workspace: ws.path, readOnlyPaths: [], networkHosts: [] },
  signal: new AbortController().signal,
  secrets: [],
});

/** Writes a file with the real write_file tool; returns what it reports it wrote. */
async function writeWithTool(ws: Workspace, file: string, content: string): Promise<WrittenFile[]> {
  const result = await writeFileTool.run({ path: file, content }, toolContext(ws));
  expect(result.ok).toBe(true);
  return result.written!;
}

const recordOf = async (runId: string) => (await loadRunCheckpoint(log, runId))!;
const show = (ws: Workspace, rev: string) => git(ws.gitDir, "show", rev);
const treeFiles = async (ws: Workspace, sha: string) => (await git(ws.gitDir, "ls-tree", "-r", "--name-only", sha)).split("\n");

/** The commits a bundle's pack holds, read by unpacking it into a fresh clone of the base. */
async function commitsInBundle(runId: string): Promise<string[]> {
  const saved = (await loadRunBundle(log, runId))!;
  const dir = await fs.mkdtemp(path.join(tmp, "unbundle-"));
  await git(tmp, "clone", "--quiet", "--bare", repo.url, path.join(dir, "repo.git"));
  await fs.writeFile(path.join(dir, "branch.bundle"), saved.bundle);
  const before = new Set((await git(path.join(dir, "repo.git"), "rev-list", "--all")).split("\n"));
  await git(path.join(dir, "repo.git"), "bundle", "unbundle", path.join(dir, "branch.bundle"));
  const packs = (await fs.readdir(path.join(dir, "repo.git", "objects", "pack"))).filter((f) => f.endsWith(".idx"));
  const commits: string[] = [];
  for (const idx of packs) {
    const listing = await git(path.join(dir, "repo.git"), "verify-pack", "-v", path.join(dir, "repo.git", "objects", "pack", idx));
    for (const line of listing.split("\n")) {
      const [sha, type] = line.split(/\s+/);
      if (type === "commit" && !before.has(sha!)) commits.push(sha!);
    }
  }
  return commits.sort();
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (e: unknown) => e,
  );
}

describe("checkpoint saves from the files the tools wrote", () => {
  it("commits what was written, not what the workspace holds by the time the save lands, merging saves not yet started", async () => {
    const { ws, runId, saver } = await run();
    await saver(0, { n: 0 });
    const writes: WrittenFile[][] = [];
    for (let i = 1; i <= 10; i++) writes.push(await writeWithTool(ws, "src/app.js", `export const a = ${i};\n`));
    // A later step has already changed the file again: the saves must not read it.
    await fs.writeFile(path.join(ws.path, "src/app.js"), "a later step's content\n");
    for (let i = 1; i <= 10; i++) await saver(i, { n: i }, { written: writes[i - 1], background: true });
    await saver.flush!();

    const record = await recordOf(runId);
    expect(record.turn).toBe(10);
    expect(record.state).toEqual({ n: 10 });
    expect(await show(ws, `${record.headSha}:src/app.js`)).toBe("export const a = 10;");
    // Not chained: the checkpoint commit sits on the base.
    expect(await git(ws.gitDir, "rev-list", `${ws.baseSha}..${record.headSha}`)).toBe(record.headSha);
    // Ten background saves in a burst: one write (the first save was the scan).
    expect(saver.stats!()).toMatchObject({ saves: 11, written: 2, merged: 9 });
  });

  it("keeps the bundle at the newest checkpoint commit and the one the record named before it, however many saves", async () => {
    const { ws, runId, saver } = await run();
    const heads: string[] = [];
    for (let i = 1; i <= 8; i++) {
      await saver(i, { n: i }, { written: await writeWithTool(ws, `src/file${i}.js`, `export const n = ${i};\n`), background: true });
      await saver.flush!();
      heads.push((await recordOf(runId)).headSha);
    }
    expect(new Set(heads).size).toBe(8);
    // A crash between the bundle's write and the record's leaves the record of the save before:
    // the bundle holds its commit too, and nothing older.
    expect(await commitsInBundle(runId)).toEqual([heads[6]!, heads[7]!].sort());
    const files = await treeFiles(ws, heads[7]!);
    for (let i = 1; i <= 8; i++) expect(files).toContain(`src/file${i}.js`);
  });

  it("stages as `git add --all` would: an ignored new file is left out, an ignored tracked one and the rest go in", async () => {
    const { ws, runId, saver } = await run();
    await saver(0, {});
    const written = [
      ...(await writeWithTool(ws, "build/out.js", "generated\n")),
      ...(await writeWithTool(ws, "debug.log", "noise\n")),
      ...(await writeWithTool(ws, "keep.log", "tracked, changed\n")),
      ...(await writeWithTool(ws, "docs/new.md", "# new\n")),
    ];
    await saver(1, {}, { written, background: true });
    await saver.flush!();
    const { headSha } = await recordOf(runId);
    const files = await treeFiles(ws, headSha);
    expect(files).toEqual(expect.arrayContaining(["docs/new.md", "keep.log", "src/app.js"]));
    expect(files).not.toContain("build/out.js");
    expect(files).not.toContain("debug.log");
    expect(await show(ws, `${headSha}:keep.log`)).toBe("tracked, changed");
  });

  it("leaves out what the environment put there and refuses a secret file the workspace's .gitignore un-ignores, moving nothing", async () => {
    const { ws, runId, saver } = await run();
    await excludeFromCommits(ws.gitDir, ["node_modules", "secrets/.env"]);
    await recordSecretFiles(ws.gitDir, ["secrets/.env"]);
    await fs.writeFile(path.join(ws.path, ".gitignore"), "build/\n!node_modules\n!secrets/.env\n");
    await saver(0, {});
    const kept = await writeWithTool(ws, "node_modules/pkg/index.js", "module\n");
    await saver(1, {}, { written: kept, background: true });
    await saver.flush!();
    const first = await recordOf(runId);
    expect(await treeFiles(ws, first.headSha)).not.toContain("node_modules/pkg/index.js");

    // The environment-path record gone (as in the secret-file tests of the environment): the
    // secret file would be staged, so the save is refused, in the background, and said at the flush.
    await fs.rm(path.join(ws.gitDir, "info", "agentdesk-environment-paths"));
    const branchBefore = await git(ws.gitDir, "rev-parse", ws.branch);
    await saver(2, {}, { written: await writeWithTool(ws, "secrets/.env", "TOKEN=tok-5e2b\n"), background: true });
    const failure = await failureOf(saver.flush!());
    expect(failure).toBeInstanceOf(PermanentRunError);
    expect((failure as Error).message).toBe("the environment's secret file secrets/.env would be committed; nothing was committed");
    // The failure stays: every later save says it, nothing more is written.
    expect(await failureOf(saver(3, {}, { filesUnchanged: true, background: true }))).toBe(failure);
    expect(await git(ws.gitDir, "rev-parse", ws.branch)).toBe(branchBefore);
    expect((await recordOf(runId)).turn).toBe(1);
    expect(await git(ws.gitDir, "log", "--all", "-p", "--format=%H")).not.toContain("tok-5e2b");
  });

  it("keeps an executable file executable when edit_file changes it", async () => {
    const { ws, runId, saver } = await run();
    await fs.writeFile(path.join(ws.path, "run.sh"), "echo one\n", { mode: 0o755 });
    await saver(0, {});
    const result = await editFileTool.run({ path: "run.sh", old_string: "one", new_string: "two" }, toolContext(ws));
    expect(result.written!.map((f) => [f.path, f.executable])).toEqual([["run.sh", true]]);
    await saver(1, {}, { written: result.written, background: true });
    await saver.flush!();
    const { headSha } = await recordOf(runId);
    expect(await git(ws.gitDir, "ls-tree", headSha, "run.sh")).toMatch(/^100755 blob /);
    expect(await show(ws, `${headSha}:run.sh`)).toBe("echo two");
  });

  it("reports the path in the repository when the tool wrote through a symlinked folder", async () => {
    const { ws, runId, saver } = await run();
    await fs.symlink("src", path.join(ws.path, "source"));
    await saver(0, {});
    const written = await writeWithTool(ws, "source/linked.js", "via the link\n");
    expect(written.map((f) => f.path)).toEqual(["src/linked.js"]);
    await saver(1, {}, { written, background: true });
    await saver.flush!();
    expect(await show(ws, `${(await recordOf(runId)).headSha}:src/linked.js`)).toBe("via the link");
  });
});
