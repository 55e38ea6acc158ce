import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bundleBranch } from "../../jobs/git/bundle";
import { commitAll } from "../../jobs/git/commit";
import { credentialEnv } from "../../jobs/git/credentials";
import { diffCommits } from "../../jobs/git/diff";
import { GitError, remoteProtocols, runGit } from "../../jobs/git/exec";
import { pushRunBranch } from "../../jobs/git/push";
import { runRepoPath } from "../../jobs/git/runRepo";
import { prepareWorkspace, releaseWorkspace, type Workspace } from "../../jobs/workspace";
import { loadConfig } from "../../lib/config";
import { startGitHttpServer, type GitHttpServer } from "../support/gitHttpServer";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";
import { poisonWorkspace, repoSnapshot, startAttacker, startRedirector, type Attacker } from "./hostileRun";

/**
 * The hostile run: it writes into its workspace and the workspace's `.git` exactly what a
 * command in the run could (the sandbox lets it write nothing else), then the platform
 * commits, diffs, bundles and pushes that run, and another user's next run uses the same
 * repository. Nothing planted may run, redirect, or receive the repository token, and no run
 * may reach another run's branch or objects.
 */
const config = loadConfig();
const author = config.gitAuthor;
const TOKEN = `tok-${crypto.randomBytes(8).toString("hex")}`;

let repo: TestRepo;
let server: GitHttpServer;
let attacker: Attacker;
let url: string;
let tmp: string;
let markers: string;
let counter = 0;

beforeAll(async () => {
  repo = await createTestRepo({ files: { "README.md": "hello\n", "src/a.txt": "a\n" } });
  server = await startGitHttpServer(repo.root, TOKEN);
  url = server.urlOf("remote.git");
  attacker = await startAttacker();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-isolation-"));
  markers = path.join(tmp, "markers");
  await fs.mkdir(markers);
});
afterAll(async () => {
  await attacker?.close();
  await server?.close();
  await repo?.remove();
  await fs.rm(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  attacker.requests.length = 0;
});

async function startRun(): Promise<Workspace> {
  counter += 1;
  const runId = `iso${counter}${crypto.randomBytes(3).toString("hex")}`;
  return prepareWorkspace({
    dataDir: config.dataDir,
    allowLocalRepos: true,
    runId,
    repo: { name: "remote", url },
    branch: `agentdesk/iso-${runId}`,
    baseBranch: "main",
    credential: TOKEN,
  });
}

async function pushRun(ws: Workspace, headSha: string) {
  return pushRunBranch({
    gitDir: ws.gitDir,
    url,
    allowLocalRepos: true,
    branch: ws.branch,
    baseBranch: ws.baseBranch,
    headSha,
    expectedRemoteSha: null,
    env: await credentialEnv(config.dataDir, TOKEN, url),
  });
}

async function expectNothingRan() {
  expect(await fs.readdir(markers)).toEqual([]);
}

function expectAttackerSawNothing() {
  expect(attacker.requests).toEqual([]);
}

describe("a run that poisons its workspace's .git", () => {
  it("changes nothing the platform's commit, diff, bundle and push do, nor the next run of another user", async () => {
    const hostile = await startRun();
    const mirrorBefore = await repoSnapshot(hostile.mirror);
    const runRepoBefore = await repoSnapshot(hostile.gitDir);
    await fs.writeFile(path.join(hostile.path, "work.txt"), "the run's work\n");
    await poisonWorkspace({ workspace: hostile.path, markers, attackerUrl: attacker.url, remoteUrl: url });

    const { headSha, committed } = await commitAll({ tree: hostile, author, message: "hostile work\n" });
    expect(committed).toBe(true);
    // Committed as written (no clean filter ran), unsigned, and without any `.git`.
    expect(await git(hostile.gitDir, "show", `${headSha}:work.txt`)).toBe("the run's work");
    const files = (await git(hostile.gitDir, "ls-tree", "-r", "--name-only", headSha)).split("\n");
    expect(files).toEqual(expect.arrayContaining([".gitattributes", "vendor/lib"]));
    expect(files.some((f) => f === ".git" || f.startsWith(".git/"))).toBe(false);
    const diff = await diffCommits({ gitDir: hostile.gitDir }, hostile.baseSha, headSha);
    expect(diff.patch).toContain("+the run's work");
    expect(await bundleBranch({ gitDir: hostile.gitDir, branch: hostile.branch, baseSha: hostile.baseSha })).not.toBeNull();
    expect(await pushRun(hostile, headSha)).toEqual({ pushed: true });
    expect(await repo.remoteSha(hostile.branch)).toBe(headSha);

    await expectNothingRan();
    expectAttackerSawNothing();
    // The token went to the registered remote only, never in a URL.
    expect(server.requests.some((r) => r.authorized)).toBe(true);
    expect(server.requests.every((r) => !r.url.includes(TOKEN))).toBe(true);
    // The platform's repositories are as the platform left them (the run's has its new branch head).
    expect(await repoSnapshot(hostile.mirror)).toEqual(mirrorBefore);
    const runRepoAfter = await repoSnapshot(hostile.gitDir);
    expect(runRepoAfter.config).toBe(runRepoBefore.config);
    expect(Object.keys(runRepoAfter).filter((k) => k.startsWith("hooks/") || k.startsWith("info/"))).toEqual([]);
    // The control: git reading the workspace's `.git` (what the run's own git does) honours the plants.
    await fs.writeFile(path.join(hostile.path, "control.txt"), "control\n");
    await git(hostile.path, "add", "--all").catch(() => undefined);
    expect(await fs.readdir(markers)).toEqual(expect.arrayContaining(["filter-clean", "fsmonitor"]));
    await fs.rm(markers, { recursive: true });
    await fs.mkdir(markers);
    await releaseWorkspace(hostile, { endRun: true });

    // Another user's next run of the repository: fetch, commit, push as usual, nothing planted honoured.
    const next = await startRun();
    await fs.writeFile(path.join(next.path, "next.txt"), "next\n");
    const nextCommit = await commitAll({ tree: next, author, message: "next\n" });
    expect(await pushRun(next, nextCommit.headSha)).toEqual({ pushed: true });
    expect(await git(next.gitDir, "show", `${nextCommit.headSha}:next.txt`)).toBe("next");
    await expectNothingRan();
    expectAttackerSawNothing();
    const refs = await git(next.mirror, "for-each-ref", "--format=%(refname)");
    expect(refs.split("\n").every((r) => r.startsWith("refs/remotes/origin/"))).toBe(true);
    await releaseWorkspace(next, { endRun: true });
  });

  it("never follows a `.git` symlink or a file symlink out of the workspace", async () => {
    const ws = await startRun();
    const mirrorBefore = await repoSnapshot(ws.mirror);
    // The run points its `.git` at the shared mirror and links a file outside the workspace.
    await fs.rm(path.join(ws.path, ".git"), { recursive: true });
    await fs.symlink(ws.mirror, path.join(ws.path, ".git"));
    await fs.symlink("/etc/passwd", path.join(ws.path, "passwd"));
    await fs.writeFile(path.join(ws.path, "x.txt"), "x\n");
    const { headSha } = await commitAll({ tree: ws, author, message: "links\n" });
    const tree = await git(ws.gitDir, "ls-tree", "-r", headSha);
    expect(tree).not.toMatch(/\t\.git$/m);
    // The link is committed as a link, never the file it points at.
    expect(tree).toMatch(/^120000 blob [0-9a-f]+\tpasswd$/m);
    expect(await git(ws.gitDir, "show", `${headSha}:passwd`)).toBe("/etc/passwd");
    expect((await diffCommits({ gitDir: ws.gitDir }, ws.baseSha, headSha)).files.map((f) => f.path).sort()).toEqual(["passwd", "x.txt"]);
    expect(await repoSnapshot(ws.mirror)).toEqual(mirrorBefore);
    await releaseWorkspace(ws, { endRun: true });
  });
});

describe("one run cannot reach another run's branch or objects", () => {
  it("keeps run A's commits out of the mirror and out of run B's repository and workspace", async () => {
    const a = await startRun();
    await fs.writeFile(path.join(a.path, "secret-of-a.txt"), "only A may see this\n");
    const { headSha: aSha } = await commitAll({ tree: a, author, message: "A's work\n" });
    const aBlob = await git(a.gitDir, "rev-parse", `${aSha}:secret-of-a.txt`);

    const b = await startRun();
    // Not in the mirror B borrows from, nor in B's own repository.
    for (const gitDir of [b.mirror, b.gitDir]) {
      await expect(git(gitDir, "cat-file", "-e", aSha)).rejects.toThrow();
      await expect(git(gitDir, "cat-file", "-e", aBlob)).rejects.toThrow();
    }
    expect(await git(b.mirror, "for-each-ref", "--format=%(refname)")).not.toContain(a.branch);
    // B's own git sees no branch of A; a ref planted at A's commit names nothing B can read.
    expect(await git(b.path, "for-each-ref", "--format=%(refname)")).not.toContain(a.branch);
    await fs.writeFile(path.join(b.path, ".git", "refs", "heads", "stolen"), `${aSha}\n`);
    await fs.writeFile(path.join(b.path, ".git", "packed-refs"), `${aSha} refs/heads/stolen-packed\n`);
    await expect(git(b.path, "show", "stolen:secret-of-a.txt")).rejects.toThrow();
    await expect(git(b.path, "cat-file", "-p", aBlob)).rejects.toThrow();
    // The platform's commit of B does not pick A's work up through the planted refs.
    await fs.writeFile(path.join(b.path, "b.txt"), "b\n");
    const { headSha: bSha } = await commitAll({ tree: b, author, message: "B's work\n" });
    expect(await git(b.gitDir, "rev-list", "--count", `${b.baseSha}..${bSha}`)).toBe("1");
    expect((await diffCommits({ gitDir: b.gitDir }, b.baseSha, bSha)).files.map((f) => f.path)).toEqual(["b.txt"]);
    // What the sandbox binds read-only for B holds nothing of A.
    expect(b.readOnlyPaths.some((p) => p.startsWith(runRepoPath(config.dataDir, a.runId)))).toBe(false);
    for (const w of [a, b]) await releaseWorkspace(w, { endRun: true });
  });
});

describe("protocols and credentials", () => {
  it("allows no transport unless the command names it, never ext::, file only with local repositories", async () => {
    const probe = (target: string, protocols?: string[]) =>
      runGit(["ls-remote", "--end-of-options", target], { protocols, timeoutMs: 30_000 }).then(
        () => "ok",
        (e: unknown) => (e instanceof GitError ? e.stderr : String(e)),
      );
    const ext = `ext::sh -c touch% ${path.join(markers, "ext-direct")}`;
    expect(await probe(ext, remoteProtocols(true))).toContain("transport 'ext' not allowed");
    expect(await probe(repo.url, remoteProtocols(false))).toContain("transport 'file' not allowed");
    expect(await probe(`${attacker.url}/x.git`, remoteProtocols(false))).toContain("transport 'http' not allowed");
    expect(await probe(repo.url)).toContain("transport 'file' not allowed");
    expect(await probe(repo.url, remoteProtocols(true))).toBe("ok");
    await expectNothingRan();
    expectAttackerSawNothing();
  });

  it("offers the token only to the registered remote's origin: a redirect or another URL gets nothing", async () => {
    const env = await credentialEnv(config.dataDir, TOKEN, url);
    // Another URL given the same environment (what a rewritten URL would be).
    await expect(runGit(["ls-remote", "--end-of-options", `${attacker.url}/stolen.git`], { env, protocols: remoteProtocols(true) })).rejects.toThrow();
    // The registered remote answering with a redirect to another host.
    const redirector = await startRedirector(attacker.url);
    try {
      const redirected = await credentialEnv(config.dataDir, TOKEN, `${redirector.url}/remote.git`);
      await expect(
        runGit(["ls-remote", "--end-of-options", `${redirector.url}/remote.git`], { env: redirected, protocols: remoteProtocols(true) }),
      ).rejects.toThrow();
    } finally {
      await redirector.close();
    }
    // A remote that takes the token and then redirects: the token is not sent on to the new host.
    const afterAuth = await startRedirector(attacker.url, { afterAuth: true });
    try {
      const its = await credentialEnv(config.dataDir, TOKEN, `${afterAuth.url}/remote.git`);
      await expect(
        runGit(["ls-remote", "--end-of-options", `${afterAuth.url}/remote.git`], { env: its, protocols: remoteProtocols(true) }),
      ).rejects.toThrow();
    } finally {
      await afterAuth.close();
    }
    expect(attacker.requests.length).toBeGreaterThan(0);
    expect(attacker.requests.every((r) => r.authorization === undefined)).toBe(true);
    // The registered remote itself gets it.
    expect(await runGit(["ls-remote", "--end-of-options", url, "refs/heads/main"], { env, protocols: remoteProtocols(true) })).toMatchObject({
      stdout: expect.stringContaining("refs/heads/main"),
    });
  });

  it("gives no credential to ssh or local URLs, and none without a token", async () => {
    expect(await credentialEnv(config.dataDir, TOKEN, "git@example.com:org/repo.git")).toEqual({});
    expect(await credentialEnv(config.dataDir, TOKEN, repo.url)).toEqual({});
    expect(await credentialEnv(config.dataDir, undefined, url)).toEqual({});
  });
});

const execFileAsync = promisify(execFile);

/**
 * The run's side through real bubblewrap, bound the way the sandbox binds a run: the
 * workspace writable, `readOnlyPaths` read-only at the same paths, nothing else of DATA_DIR.
 */
async function inSandbox(ws: Workspace, script: string): Promise<{ code: number; out: string }> {
  const args = [
    "--ro-bind", "/usr", "/usr",
    "--symlink", "usr/bin", "/bin",
    "--symlink", "usr/lib", "/lib",
    ...(await fs.access("/usr/lib64").then(() => ["--symlink", "usr/lib64", "/lib64"], () => [])),
    "--proc", "/proc",
    "--dev", "/dev",
    "--tmpfs", "/tmp",
    "--bind", ws.path, ws.path,
    ...ws.readOnlyPaths.flatMap((p) => ["--ro-bind", p, p]),
    "--unshare-all",
    "--die-with-parent",
    "--clearenv",
    "--setenv", "PATH", "/usr/bin:/bin",
    "--setenv", "HOME", "/tmp",
    "--setenv", "GIT_AUTHOR_NAME", "Run", "--setenv", "GIT_AUTHOR_EMAIL", "run@example.com",
    "--setenv", "GIT_COMMITTER_NAME", "Run", "--setenv", "GIT_COMMITTER_EMAIL", "run@example.com",
    "--chdir", ws.path,
    "sh", "-c", script,
  ];
  try {
    const { stdout, stderr } = await execFileAsync("bwrap", args);
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

describe("the run's own git inside the sandbox", () => {
  it("works on its branch with the read-only object stores, and can neither write them nor see another run", async () => {
    const other = await startRun();
    await fs.writeFile(path.join(other.path, "other.txt"), "other run\n");
    const { headSha: otherSha } = await commitAll({ tree: other, author, message: "other\n" });

    const ws = await startRun();
    const own = await inSandbox(
      ws,
      `set -e
       test "$(git rev-parse --abbrev-ref HEAD)" = "${ws.branch}"
       test -z "$(git status --porcelain)"
       git log -1 --format=%s >/dev/null
       echo change >> README.md
       git diff origin/main --stat | grep -q README.md
       git add README.md && git commit -qm "the run's own commit"
       git log --format=%s -1`,
    );
    expect(own).toEqual({ code: 0, out: "the run's own commit\n" });

    const [objectsOfRun, objectsOfMirror] = ws.readOnlyPaths as [string, string];
    const attack = await inSandbox(
      ws,
      `touch ${objectsOfRun}/x 2>/dev/null && echo wrote-run-objects
       touch ${objectsOfMirror}/x 2>/dev/null && echo wrote-mirror-objects
       test -e ${path.join(ws.mirror, "config")} && echo sees-mirror-config
       test -e ${path.join(ws.gitDir, "config")} && echo sees-run-repo-config
       test -e ${other.gitDir} && echo sees-other-run
       echo ${path.join(other.gitDir, "objects")} >> .git/objects/info/alternates
       git cat-file -e ${otherSha} 2>/dev/null && echo reads-other-commit
       echo done`,
    );
    expect(attack).toEqual({ code: 0, out: "done\n" });
    // The run's own commit stays in its workspace's `.git`; the platform's branch is untouched.
    expect(await git(ws.gitDir, "rev-parse", ws.branch)).toBe(ws.baseSha);
    for (const w of [other, ws]) await releaseWorkspace(w, { endRun: true });
  });
});
