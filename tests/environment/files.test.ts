import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckpointSaver } from "../../jobs/agent/checkpoint";
import { excludeFromCommits, excludePattern, placeEnvironmentFiles } from "../../jobs/environment/files";
import { readSecretFiles } from "../../jobs/environment/secretFiles";
import { PermanentRunError } from "../../jobs/errors";
import { commitAll } from "../../jobs/git/commit";
import { prepareWorkspace, releaseWorkspace, type Workspace } from "../../jobs/workspace";
import { loadConfig } from "../../lib/config";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import { createRedis } from "../../lib/redis";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";

/**
 * The environment's files in a real run workspace (real git, the platform's own commit step):
 * placed from variables, confined to the workspace, never over a tracked file, and never in a
 * commit of the run, final or checkpoint.
 */
const config = loadConfig();
const author = config.gitAuthor;
const DOTENV = "API_TOKEN=tok-7c1f9a2e4b\nDEBUG=1\n";
const env = { APP_DOTENV: DOTENV, DB_PEM: "-----BEGIN KEY-----\nabc\n-----END KEY-----\n" };

let repo: TestRepo;
let outside: string;
let redis: Redis;
let log: EventLog;
let counter = 0;
const open: Workspace[] = [];

beforeAll(async () => {
  // No .gitignore at all: nothing but the platform keeps the secret file out of commits.
  repo = await createTestRepo({ files: { "README.md": "hello\n", "src/app.js": "export const a = 1;\n" } });
  outside = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-outside-"));
  // A repository may hold symlinks anywhere: one out of the workspace, one inside it.
  await fs.symlink(outside, path.join(repo.work, "config"));
  await fs.symlink("src", path.join(repo.work, "source"));
  await git(repo.work, "add", "--all");
  await git(repo.work, "commit", "--quiet", "-m", "links");
  await git(repo.work, "push", "--quiet", "origin", "HEAD:refs/heads/main");
  redis = createRedis(config.redisUrl, "worker");
  log = createEventLog(redis, config.redisPrefix);
});

afterAll(async () => {
  for (const ws of open) await releaseWorkspace(ws, { endRun: true });
  await redis?.quit();
  await repo?.remove();
  await fs.rm(outside, { recursive: true, force: true });
});

async function workspace(): Promise<Workspace> {
  counter += 1;
  const ws = await prepareWorkspace({
    dataDir: config.dataDir,
    allowLocalRepos: true,
    runId: `files${counter}`,
    repo: { name: "test", url: repo.url },
    branch: `agentdesk/files-${counter}`,
    baseBranch: "main",
  });
  open.push(ws);
  return ws;
}

const place = (ws: Workspace, files: { path: string; env: string }[], vars: Record<string, string | undefined> = env) =>
  placeEnvironmentFiles({ workspace: ws.path, files, gitDir: ws.gitDir, baseSha: ws.baseSha, env: vars });

const treeFiles = (ws: Workspace, sha: string) => git(ws.gitDir, "ls-tree", "-r", "--name-only", sha).then((out) => out.split("\n"));

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PermanentRunError);
  return (error as Error).message;
}

describe("placing the environment's files", () => {
  it("writes each variable's value at its path, mode 0600, creating folders, and records it as secret and excluded", async () => {
    const ws = await workspace();
    const placed = await place(ws, [
      { path: ".env", env: "APP_DOTENV" },
      { path: "deploy/keys/db.pem", env: "DB_PEM" },
    ]);
    expect(placed).toEqual([".env", "deploy/keys/db.pem"]);
    expect(await fs.readFile(path.join(ws.path, ".env"), "utf8")).toBe(DOTENV);
    expect(await fs.readFile(path.join(ws.path, "deploy/keys/db.pem"), "utf8")).toBe(env.DB_PEM);
    for (const file of placed) expect((await fs.stat(path.join(ws.path, file))).mode & 0o777).toBe(0o600);
    expect(await readSecretFiles(ws.gitDir)).toEqual(placed);
    expect(await fs.readFile(path.join(ws.gitDir, "info", "exclude"), "utf8")).toBe("/.env\n/deploy/keys/db.pem\n");
    // Nothing left behind beside them (the temporary file is renamed into place).
    expect((await fs.readdir(path.join(ws.path, "deploy/keys"))).sort()).toEqual(["db.pem"]);
    // The agent's own git sees the files as untracked, like in a clone with a local .env.
    expect(await git(ws.path, "status", "--porcelain")).toContain("?? .env");
  });

  it("replaces a file the setup left at the path, and places nothing when there is nothing to place", async () => {
    const ws = await workspace();
    await fs.writeFile(path.join(ws.path, ".env"), "from the setup\n", { mode: 0o644 });
    await place(ws, [{ path: ".env", env: "APP_DOTENV" }]);
    expect(await fs.readFile(path.join(ws.path, ".env"), "utf8")).toBe(DOTENV);
    expect((await fs.stat(path.join(ws.path, ".env"))).mode & 0o777).toBe(0o600);
    expect(await place(ws, [])).toEqual([]);
  });

  it("refuses a path tracked at the base commit, naming it, and writes nothing", async () => {
    const ws = await workspace();
    const message = await refusal(place(ws, [{ path: "src/app.js", env: "APP_DOTENV" }]));
    expect(message).toContain("src/app.js is tracked");
    expect(await fs.readFile(path.join(ws.path, "src/app.js"), "utf8")).toBe("export const a = 1;\n");
    expect(await readSecretFiles(ws.gitDir)).toEqual([]);
    // A folder the repository tracks is a tracked path too.
    expect(await refusal(place(ws, [{ path: "src", env: "APP_DOTENV" }]))).toContain("src is tracked");
  });

  it("refuses a path tracked where the run's branch is (a follow-up over commits that added it)", async () => {
    const ws = await workspace();
    await fs.writeFile(path.join(ws.path, ".env"), "committed by an earlier round\n");
    await commitAll({ tree: ws, author, message: "earlier round\n" });
    expect(await refusal(place(ws, [{ path: ".env", env: "APP_DOTENV" }]))).toContain(".env is tracked");
  });

  it("refuses paths out of the workspace or into .git before writing anything", async () => {
    const ws = await workspace();
    for (const bad of ["../escape", "a/../../escape", "/etc/agentdesk", ".git/config", "sub/.git/hooks/x", ".GIT/x", "./."]) {
      const message = await refusal(place(ws, [{ path: bad, env: "APP_DOTENV" }]));
      expect(message).toContain("cannot be placed");
    }
    await expect(fs.access(path.join(path.dirname(ws.path), "escape"))).rejects.toThrow();
    expect(await readSecretFiles(ws.gitDir)).toEqual([]);
  });

  it("follows no symlink: one out of the workspace (config -> elsewhere) nor one inside it", async () => {
    const ws = await workspace();
    expect(await refusal(place(ws, [{ path: "config/.env", env: "APP_DOTENV" }]))).toContain("config is a symlink");
    expect(await fs.readdir(outside)).toEqual([]);
    // Inside, but the file would sit at src/.env, a path neither the exclusion nor the refusal names.
    expect(await refusal(place(ws, [{ path: "source/.env", env: "APP_DOTENV" }]))).toContain("source is a symlink");
    await expect(fs.access(path.join(ws.path, "src/.env"))).rejects.toThrow();
    // The file itself a symlink (left by the setup) is not written through either.
    await fs.symlink(path.join(outside, "target"), path.join(ws.path, ".env"));
    expect(await refusal(place(ws, [{ path: ".env", env: "APP_DOTENV" }]))).toContain("it is a symlink");
    expect(await fs.readdir(outside)).toEqual([]);
  });

  it("fails clearly naming a variable that is not set, before placing any file", async () => {
    const ws = await workspace();
    const message = await refusal(
      place(ws, [
        { path: ".env", env: "APP_DOTENV" },
        { path: "secrets.json", env: "MISSING_SECRET_JSON" },
      ]),
    );
    expect(message).toContain("MISSING_SECRET_JSON");
    expect(message).toContain("not set");
    await expect(fs.access(path.join(ws.path, ".env"))).rejects.toThrow();
    // An empty value is not set either.
    expect(await refusal(place(ws, [{ path: ".env", env: "EMPTY" }], { EMPTY: "" }))).toContain("EMPTY");
  });

  it("refuses the same path twice", async () => {
    const ws = await workspace();
    expect(await refusal(place(ws, [{ path: ".env", env: "APP_DOTENV" }, { path: "./.env", env: "DB_PEM" }]))).toContain("twice");
  });
});

describe("the run's commits and the secret files", () => {
  it("never commits the placed file, in the final commit or in checkpoint commits, while committing everything else", async () => {
    const ws = await workspace();
    await place(ws, [{ path: ".env", env: "APP_DOTENV" }, { path: "deploy/db.pem", env: "DB_PEM" }]);
    const saver = createCheckpointSaver({ log, runId: `files-cp-${counter}`, tree: ws, branch: ws.branch, baseSha: ws.baseSha, author, worker: "test" });

    await fs.writeFile(path.join(ws.path, "src/app.js"), "export const a = 2;\n");
    await saver(1, { turn: 1 });
    const checkpoint = (await git(ws.gitDir, "rev-parse", ws.branch)).trim();
    expect(checkpoint).not.toBe(ws.baseSha);
    expect(await treeFiles(ws, checkpoint)).not.toContain(".env");

    await fs.writeFile(path.join(ws.path, "notes.md"), "done\n");
    const { headSha, committed } = await commitAll({ tree: ws, author, message: "work\n" });
    expect(committed).toBe(true);
    const files = await treeFiles(ws, headSha);
    expect(files).toEqual(expect.arrayContaining(["notes.md", "src/app.js"]));
    expect(files.filter((f) => f === ".env" || f.startsWith("deploy/"))).toEqual([]);
    // Nowhere in the branch's history either.
    expect(await git(ws.gitDir, "log", "--all", "-p", "--text", "--format=%H")).not.toContain("tok-7c1f9a2e4b");
  });

  it("refuses the commit, committing nothing, when a secret file would be staged (both exclusions gone)", async () => {
    const ws = await workspace();
    await place(ws, [{ path: ".env", env: "APP_DOTENV" }]);
    await fs.writeFile(path.join(ws.path, "notes.md"), "work\n");
    await fs.rm(path.join(ws.gitDir, "info", "exclude"));
    // The recorded environment paths still take it out of the index.
    const kept = await commitAll({ tree: ws, author, message: "work\n" });
    expect(await treeFiles(ws, kept.headSha)).toEqual(expect.arrayContaining(["notes.md"]));
    expect(await treeFiles(ws, kept.headSha)).not.toContain(".env");
    await fs.writeFile(path.join(ws.path, "notes.md"), "more work\n");
    // Without them too, the last wall refuses.
    await fs.rm(path.join(ws.gitDir, "info", "agentdesk-environment-paths"));
    const before = await git(ws.gitDir, "rev-parse", ws.branch);
    const message = await refusal(commitAll({ tree: ws, author, message: "work\n" }));
    expect(message).toBe("the environment's secret file .env would be committed; nothing was committed");
    expect(await git(ws.gitDir, "rev-parse", ws.branch)).toBe(before);
    // A checkpoint is refused the same way.
    const saver = createCheckpointSaver({ log, runId: `files-cp-${counter}`, tree: ws, branch: ws.branch, baseSha: ws.baseSha, author, worker: "test" });
    expect(await refusal(saver(1, {}))).toContain(".env would be committed");
    expect(await git(ws.gitDir, "rev-parse", ws.branch)).toBe(before);
  });

  it("keeps the file out when the workspace's .gitignore un-ignores it (it outranks info/exclude)", async () => {
    const ws = await workspace();
    await place(ws, [{ path: "deploy/db.pem", env: "DB_PEM" }]);
    await excludeFromCommits(ws.gitDir, ["node_modules"]);
    await fs.mkdir(path.join(ws.path, "node_modules", "pkg"), { recursive: true });
    await fs.writeFile(path.join(ws.path, "node_modules", "pkg", "index.js"), "x\n");
    await fs.writeFile(path.join(ws.path, ".gitignore"), "!/deploy/db.pem\n!node_modules\n");
    const { headSha } = await commitAll({ tree: ws, author, message: "work\n" });
    const files = await treeFiles(ws, headSha);
    expect(files).toContain(".gitignore");
    expect(files.filter((f) => f.startsWith("deploy/") || f.startsWith("node_modules/"))).toEqual([]);
  });

  it("refuses a secret file moved into a folder of its own name", async () => {
    const ws = await workspace();
    await place(ws, [{ path: ".env", env: "APP_DOTENV" }]);
    await fs.rename(path.join(ws.path, ".env"), path.join(ws.path, "moved"));
    await fs.mkdir(path.join(ws.path, ".env"));
    await fs.rename(path.join(ws.path, "moved"), path.join(ws.path, ".env", "copy"));
    // `/.env` in info/exclude keeps the folder out as well; without it the refusal catches it.
    const clean = await commitAll({ tree: ws, author, message: "work\n" });
    expect(await treeFiles(ws, clean.headSha)).not.toContain(".env/copy");
    await fs.rm(path.join(ws.gitDir, "info", "exclude"));
    expect(await treeFiles(ws, (await commitAll({ tree: ws, author, message: "work\n" })).headSha)).not.toContain(".env/copy");
    await fs.rm(path.join(ws.gitDir, "info", "agentdesk-environment-paths"));
    expect(await refusal(commitAll({ tree: ws, author, message: "work\n" }))).toContain(".env would be committed");
  });
});

describe("excluding paths from the run's commits", () => {
  it("writes anchored, escaped patterns that match exactly the given paths, adding to what is there", async () => {
    const ws = await workspace();
    const names = ["a*b", "q?", "[x]", "!bang", "#hash", "back\\slash", "trail ", "node_modules", "deep/er/out"];
    await excludeFromCommits(ws.gitDir, names.slice(0, 5));
    await excludeFromCommits(ws.gitDir, [...names.slice(3), "node_modules/"]);
    const lines = (await fs.readFile(path.join(ws.gitDir, "info", "exclude"), "utf8")).split("\n").filter(Boolean);
    expect(lines).toHaveLength(names.length);
    // node_modules as a folder (a pattern without a trailing slash matches files and folders).
    const written = [...names.filter((n) => n !== "node_modules"), "node_modules/pkg/index.js"];
    for (const name of [...written, "axb", "qz", "x", "bang", "hash", "ab", "deep/er/kept", "sub/node_modules"]) {
      const file = path.join(ws.path, name);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, "x\n");
    }
    const { headSha } = await commitAll({ tree: ws, author, message: "work\n" });
    const files = await treeFiles(ws, headSha);
    for (const name of names) expect(files.some((f) => f === name || f.startsWith(`${name}/`)), name).toBe(false);
    // Look-alikes and the same name deeper down are not excluded: the patterns are anchored and literal.
    expect(files).toEqual(expect.arrayContaining(["axb", "qz", "x", "bang", "hash", "ab", "deep/er/kept", "sub/node_modules"]));
  });

  it("stands a wildcard in for a line break, and refuses what is not a workspace path", () => {
    expect(excludePattern("odd\nname")).toBe("/odd?name");
    expect(excludePattern("./dist/")).toBe("/dist");
    for (const bad of ["", ".", "../x", "/abs"]) expect(() => excludePattern(bad)).toThrow();
  });
});
