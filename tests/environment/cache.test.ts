import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CacheRestoreError,
  environmentsDir,
  findCacheEntry,
  listCacheEntries,
  moveInto,
  removeCacheEntry,
  repoCacheDir,
  restoreCacheEntry,
  saveCacheEntry,
  untrackedPaths,
  type CacheRepo,
} from "../../jobs/environment/cache";
import { loadConfig } from "../../lib/config";
import { prepareWorkspace, releaseWorkspace, type Workspace } from "../../jobs/workspace";
import { createTestRepo, type TestRepo } from "../support/gitRepo";

const config = loadConfig();
let repo: TestRepo;
let cacheRepo: CacheRepo;
let counter = 0;
const open: Workspace[] = [];

async function workspace(): Promise<Workspace> {
  counter += 1;
  const ws = await prepareWorkspace({
    dataDir: config.dataDir,
    allowLocalRepos: true,
    runId: `cache${counter}`,
    repo: { name: "cache-test", url: repo.url },
    branch: `agentdesk/cache-${counter}`,
    baseBranch: "main",
  });
  open.push(ws);
  return ws;
}

const key = (c: string) => c.repeat(64);
const hashA = "a".repeat(64);

/** What a setup leaves in a fresh checkout: an ignored folder, an untracked file inside a tracked folder, a symlink. */
async function fakeSetup(ws: Workspace): Promise<void> {
  await fs.mkdir(path.join(ws.path, "node_modules/dep/lib"), { recursive: true });
  await fs.writeFile(path.join(ws.path, "node_modules/dep/lib/index.js"), "module.exports = 42;\n");
  await fs.symlink("../dep/lib/index.js", path.join(ws.path, "node_modules/dep/main.js"));
  await fs.writeFile(path.join(ws.path, "src/generated.js"), "// generated\n");
}

beforeAll(async () => {
  repo = await createTestRepo({ files: { ".gitignore": "node_modules/\n", "src/app.js": "require('dep');\n" } });
  cacheRepo = { name: "cache-test", url: repo.url };
});
afterAll(async () => {
  for (const ws of open) await releaseWorkspace(ws, { endRun: true });
  await repo?.remove();
});

describe("environment cache", () => {
  it("lists what a setup added that git does not track, ignored paths included, a whole folder as one path", async () => {
    const ws = await workspace();
    expect(await untrackedPaths(ws)).toEqual([]);
    await fakeSetup(ws);
    expect(await untrackedPaths(ws)).toEqual(["node_modules", "src/generated.js"]);
  });

  it("saves, lists, finds and restores an entry as an independent copy", async () => {
    const ws = await workspace();
    await fakeSetup(ws);
    const paths = await untrackedPaths(ws);
    const saved = await saveCacheEntry({ dataDir: config.dataDir, repo: cacheRepo, key: key("1"), configHash: hashA, baseSha: ws.baseSha, source: ws.path, paths });
    expect(saved).toMatchObject({ repo: "cache-test", key: key("1"), baseSha: ws.baseSha, configHash: hashA, files: 3, paths });
    expect(saved.bytes).toBeGreaterThan(0);
    expect(saved.dir).toBe(path.join(repoCacheDir(config.dataDir, cacheRepo), key("1")));
    expect((await listCacheEntries(config.dataDir)).map((e) => e.key)).toContain(key("1"));

    const found = await findCacheEntry({ dataDir: config.dataDir, repo: cacheRepo, key: key("1") });
    expect(found?.match).toBe("exact");

    const next = await workspace();
    const before = found!.entry.lastUsedAt;
    await new Promise((r) => setTimeout(r, 5));
    const { skipped } = await restoreCacheEntry(found!.entry, { workspace: next.path, staging: path.join(next.dir, "env-staging") });
    expect(skipped).toEqual([]);
    expect(await untrackedPaths(next)).toEqual(["node_modules", "src/generated.js"]);
    expect(await fs.readFile(path.join(next.path, "node_modules/dep/main.js"), "utf8")).toBe("module.exports = 42;\n");
    expect(await fs.readlink(path.join(next.path, "node_modules/dep/main.js"))).toBe("../dep/lib/index.js");
    expect(await fs.readFile(path.join(next.path, "src/generated.js"), "utf8")).toBe("// generated\n");
    await expect(fs.stat(path.join(next.dir, "env-staging"))).rejects.toThrow();
    const [touched] = (await listCacheEntries(config.dataDir)).filter((e) => e.key === key("1"));
    expect(touched!.lastUsedAt > before).toBe(true);

    // Never a hard link: a run that changes what was restored changes its own copy only.
    const restoredFile = path.join(next.path, "node_modules/dep/lib/index.js");
    const cachedFile = path.join(saved.dir, "files/node_modules/dep/lib/index.js");
    expect((await fs.stat(restoredFile)).ino).not.toBe((await fs.stat(cachedFile)).ino);
    await fs.writeFile(restoredFile, "module.exports = 'poisoned';\n");
    expect(await fs.readFile(cachedFile, "utf8")).toBe("module.exports = 42;\n");
  });

  it("finds the newest entry of the same configuration only when asked (maintenance), never one of another configuration", async () => {
    const ws = await workspace();
    await fakeSetup(ws);
    const paths = await untrackedPaths(ws);
    const save = (k: string, configHash: string) =>
      saveCacheEntry({ dataDir: config.dataDir, repo: cacheRepo, key: k, configHash, baseSha: ws.baseSha, source: ws.path, paths });
    await save(key("2"), "b".repeat(64));
    await new Promise((r) => setTimeout(r, 5));
    await save(key("3"), "b".repeat(64));
    await save(key("4"), "c".repeat(64));
    expect(await findCacheEntry({ dataDir: config.dataDir, repo: cacheRepo, key: key("5") })).toBeNull();
    const older = await findCacheEntry({ dataDir: config.dataDir, repo: cacheRepo, key: key("5"), newestOf: "b".repeat(64) });
    expect(older).toMatchObject({ match: "older", entry: { key: key("3") } });
    expect(await findCacheEntry({ dataDir: config.dataDir, repo: cacheRepo, key: key("5"), newestOf: "d".repeat(64) })).toBeNull();
    // Another repository never sees them.
    expect(await findCacheEntry({ dataDir: config.dataDir, repo: { name: "other", url: repo.url }, key: key("3") })).toBeNull();
  });

  it("keeps one entry when two saves of the same key race; the loser's copy is discarded", async () => {
    const ws = await workspace();
    await fakeSetup(ws);
    const paths = await untrackedPaths(ws);
    const save = () => saveCacheEntry({ dataDir: config.dataDir, repo: cacheRepo, key: key("6"), configHash: hashA, baseSha: ws.baseSha, source: ws.path, paths });
    const [a, b] = await Promise.all([save(), save()]);
    expect(a.dir).toBe(b.dir);
    const names = await fs.readdir(repoCacheDir(config.dataDir, cacheRepo));
    expect(names.filter((n) => n.startsWith(".tmp-"))).toEqual([]);
    expect((await listCacheEntries(config.dataDir)).filter((e) => e.key === key("6"))).toHaveLength(1);
  });

  it("replaces a folder that is no entry (no meta.json) when its key is saved", async () => {
    const ws = await workspace();
    await fakeSetup(ws);
    const broken = path.join(repoCacheDir(config.dataDir, cacheRepo), key("7"));
    await fs.mkdir(path.join(broken, "files"), { recursive: true });
    expect((await listCacheEntries(config.dataDir)).some((e) => e.key === key("7"))).toBe(false);
    const saved = await saveCacheEntry({ dataDir: config.dataDir, repo: cacheRepo, key: key("7"), configHash: hashA, baseSha: ws.baseSha, source: ws.path, paths: await untrackedPaths(ws) });
    expect(saved.files).toBe(3);
  });

  it("removes an entry by renaming it away first: a restore of a removed entry fails cleanly and leaves the workspace untouched", async () => {
    const ws = await workspace();
    await fakeSetup(ws);
    const saved = await saveCacheEntry({ dataDir: config.dataDir, repo: cacheRepo, key: key("8"), configHash: hashA, baseSha: ws.baseSha, source: ws.path, paths: await untrackedPaths(ws) });
    expect(await removeCacheEntry(config.dataDir, saved)).toBe(true);
    expect(await removeCacheEntry(config.dataDir, saved)).toBe(false);
    expect(await findCacheEntry({ dataDir: config.dataDir, repo: cacheRepo, key: key("8") })).toBeNull();
    expect(await fs.readdir(path.join(environmentsDir(config.dataDir), ".trash"))).toEqual([]);

    const next = await workspace();
    await expect(restoreCacheEntry(saved, { workspace: next.path, staging: path.join(next.dir, "env-staging") })).rejects.toBeInstanceOf(CacheRestoreError);
    expect(await untrackedPaths(next)).toEqual([]);
    // Only entries of the cache folder can be removed this way.
    await expect(removeCacheEntry(config.dataDir, { dir: next.path })).rejects.toThrow(/not an environment cache entry/);
  });

  it("merges into folders the workspace has and never writes through the run's own files or symlinks", async () => {
    const root = await fs.mkdtemp(path.join(config.dataDir, "merge-"));
    const from = path.join(root, "from");
    const to = path.join(root, "to");
    const outside = path.join(root, "outside");
    await fs.mkdir(path.join(from, "src"), { recursive: true });
    await fs.mkdir(path.join(from, "node_modules/x"), { recursive: true });
    await fs.writeFile(path.join(from, "src/new.js"), "new");
    await fs.writeFile(path.join(from, "src/app.js"), "cached");
    await fs.writeFile(path.join(from, "node_modules/x/a.js"), "a");
    await fs.mkdir(path.join(to, "src"), { recursive: true });
    await fs.mkdir(outside);
    await fs.writeFile(path.join(to, "src/app.js"), "the run's");
    await fs.symlink(outside, path.join(to, "node_modules"));

    const skipped = await moveInto(from, to);
    expect(skipped.sort()).toEqual(["node_modules", "src/app.js"]);
    expect(await fs.readFile(path.join(to, "src/new.js"), "utf8")).toBe("new");
    expect(await fs.readFile(path.join(to, "src/app.js"), "utf8")).toBe("the run's");
    expect(await fs.readdir(outside)).toEqual([]);
  });
});
