import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config";
import { PermanentRunError } from "../../jobs/errors";
import { commitAll, commitMessage } from "../../jobs/git/commit";
import { diffCommits } from "../../jobs/git/diff";
import { cleanupStaleAttempts } from "../../jobs/git/attempt";
import { mirrorPath } from "../../jobs/git/mirror";
import { runDir, runRepoPath } from "../../jobs/git/runRepo";
import { silentLogger } from "../../jobs/logger";
import { prepareWorkspace, releaseWorkspace, type PrepareWorkspaceOptions } from "../../jobs/workspace";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";

const config = loadConfig();
const author = config.gitAuthor;
let repo: TestRepo;
let counter = 0;

function runOptions(overrides: Partial<PrepareWorkspaceOptions> = {}): PrepareWorkspaceOptions {
  counter += 1;
  return {
    dataDir: config.dataDir,
    allowLocalRepos: true,
    runId: `ws${counter}`,
    repo: { name: "test", url: repo.url },
    branch: `agentdesk/test-ws${counter}`,
    baseBranch: "main",
    ...overrides,
  };
}

beforeAll(async () => {
  repo = await createTestRepo({ files: { "README.md": "hello\n", "src/app.txt": "one\ntwo\nthree\n" } });
});
afterAll(async () => {
  await repo?.remove();
});

describe("workspace", () => {
  it("checks the run's branch out into an attempt folder, commits into the run's own repository, and keeps it after the attempt", async () => {
    const options = runOptions();
    const ws = await prepareWorkspace(options);
    expect(path.dirname(path.dirname(ws.path))).toBe(path.join(runDir(config.dataDir, options.runId), "attempts"));
    expect(ws.gitDir).toBe(runRepoPath(config.dataDir, options.runId));
    expect(ws.mirror).toBe(mirrorPath(config.dataDir, repo.url));
    expect(path.basename(ws.mirror)).toMatch(/^remote-[0-9a-f]{12}\.git$/);
    expect(ws.readOnlyPaths).toEqual([path.join(ws.gitDir, "objects"), path.join(ws.mirror, "objects")]);
    expect(ws.baseSha).toBe(await repo.remoteSha("main"));
    expect(await fs.readFile(path.join(ws.path, "src/app.txt"), "utf8")).toBe("one\ntwo\nthree\n");
    // The run's own git in the workspace works as in a clone: branch, clean status, the base.
    expect(await git(ws.path, "rev-parse", "--abbrev-ref", "HEAD")).toBe(options.branch);
    expect(await git(ws.path, "status", "--porcelain")).toBe("");
    expect(await git(ws.path, "rev-parse", "origin/main")).toBe(ws.baseSha);

    await fs.writeFile(path.join(ws.path, "new.txt"), "new\n");
    expect(await git(ws.path, "status", "--porcelain")).toBe("?? new.txt");
    const { headSha, committed } = await commitAll({
      tree: ws,
      author,
      message: commitMessage({ runId: options.runId, prompt: "Add a file\nmore", command: null }),
    });
    expect(committed).toBe(true);
    const authorLine = await git(ws.gitDir, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", options.branch);
    expect(authorLine).toBe(`${author.name} <${author.email}>|${author.name} <${author.email}>|Add a file`);
    expect(await git(ws.gitDir, "ls-tree", "-r", "--name-only", headSha)).not.toContain(".git");

    await releaseWorkspace(ws);
    await expect(fs.access(ws.path)).rejects.toThrow();
    expect(await git(ws.gitDir, "rev-parse", `refs/heads/${options.branch}`)).toBe(headSha);
    // The mirror holds the remote's branches only: no run branch, no run commit.
    expect(await git(ws.mirror, "for-each-ref", "--format=%(refname)")).not.toContain("refs/heads/");
    await expect(git(ws.mirror, "cat-file", "-e", `${headSha}^{commit}`)).rejects.toThrow();

    await releaseWorkspace(ws, { endRun: true });
    await expect(fs.access(runDir(config.dataDir, options.runId))).rejects.toThrow();
  });

  it("gives every attempt of a run its own folder; a second one never touches the first", async () => {
    const options = runOptions();
    const first = await prepareWorkspace(options);
    await fs.writeFile(path.join(first.path, "first.txt"), "paused work\n");
    const second = await prepareWorkspace(options);
    expect(second.path).not.toBe(first.path);
    expect(second.indexFile).not.toBe(first.indexFile);
    expect(await fs.readFile(path.join(first.path, "first.txt"), "utf8")).toBe("paused work\n");
    await expect(fs.access(path.join(second.path, "first.txt"))).rejects.toThrow();
    await releaseWorkspace(second);
    expect(await fs.readFile(path.join(first.path, "first.txt"), "utf8")).toBe("paused work\n");
    await releaseWorkspace(first, { endRun: true });
    await expect(fs.access(runDir(config.dataDir, options.runId))).rejects.toThrow();
  });

  it("never runs hooks of the remote or the mirror", async () => {
    const marker = path.join(repo.root, "hook-ran");
    const hook = `#!/bin/sh\necho "$0" >> "${marker}"\n`;
    for (const name of ["post-checkout", "reference-transaction", "pre-upload-pack", "post-update"]) {
      await repo.addRemoteHook(name, hook);
    }
    const first = await prepareWorkspace(runOptions());
    await releaseWorkspace(first);
    for (const name of ["post-checkout", "pre-commit", "commit-msg", "post-commit", "reference-transaction"]) {
      await fs.mkdir(path.join(first.mirror, "hooks"), { recursive: true });
      await fs.writeFile(path.join(first.mirror, "hooks", name), hook, { mode: 0o755 });
    }
    const ws = await prepareWorkspace(runOptions());
    await fs.writeFile(path.join(ws.path, "x.txt"), "x\n");
    await commitAll({ tree: ws, author, message: "x" });
    await releaseWorkspace(ws);
    await expect(fs.access(marker)).rejects.toThrow();
  });

  it("keeps the run's branch when the next fetch prunes deleted remote branches", async () => {
    await repo.commit({ "feature.txt": "f\n" }, "feature", "feature");
    const onFeature = runOptions({ baseBranch: "feature" });
    const ws = await prepareWorkspace(onFeature);
    await fs.writeFile(path.join(ws.path, "mine.txt"), "mine\n");
    const { headSha } = await commitAll({ tree: ws, author, message: "mine" });
    await releaseWorkspace(ws);

    await repo.deleteRemoteBranch("feature");
    const next = await prepareWorkspace(runOptions());
    await releaseWorkspace(next);
    const refs = await git(next.mirror, "for-each-ref", "--format=%(refname)");
    expect(refs).not.toContain("refs/remotes/origin/feature");
    expect(await git(ws.gitDir, "rev-parse", `refs/heads/${onFeature.branch}`)).toBe(headSha);
    // The pruned base's objects are still there to borrow (the mirror never collects garbage by itself).
    expect(await git(ws.gitDir, "show", `${headSha}~1:feature.txt`)).toBe("f");
  });

  it("sees new commits of the base branch on the next run", async () => {
    const sha = await repo.commit({ "later.txt": "later\n" }, "later");
    const ws = await prepareWorkspace(runOptions());
    await releaseWorkspace(ws);
    expect(ws.baseSha).toBe(sha);
  });

  it("prepares concurrent runs of one repository", async () => {
    const all = await Promise.all([1, 2, 3].map(() => prepareWorkspace(runOptions())));
    expect(new Set(all.map((w) => w.baseSha)).size).toBe(1);
    await Promise.all(all.map((w) => releaseWorkspace(w)));
  });

  it("fails permanently with an actionable message for a missing repository or base branch", async () => {
    const missingRepo = prepareWorkspace(runOptions({ repo: { name: "ghost", url: path.join(repo.root, "nope.git") } }));
    await expect(missingRepo).rejects.toBeInstanceOf(PermanentRunError);
    await expect(missingRepo).rejects.toThrow(/repository "ghost" could not be read/);

    const missingBase = prepareWorkspace(runOptions({ baseBranch: "no-such-branch" }));
    await expect(missingBase).rejects.toBeInstanceOf(PermanentRunError);
    await expect(missingBase).rejects.toThrow('base branch "no-such-branch" does not exist');

    await expect(prepareWorkspace(runOptions({ allowLocalRepos: false }))).rejects.toThrow(/ALLOW_LOCAL_REPOS/);
    for (const url of ["http://127.0.0.1:9/x.git", "git://127.0.0.1/x.git", "file:///tmp/x.git"]) {
      await expect(prepareWorkspace(runOptions({ allowLocalRepos: false, repo: { name: "t", url } }))).rejects.toThrow(/ALLOW_LOCAL_REPOS/);
    }
    for (const url of ["ext::sh -c touch% /tmp/pwned", "git://127.0.0.1/x.git", "-uhttps://x"]) {
      await expect(prepareWorkspace(runOptions({ repo: { name: "t", url } }))).rejects.toBeInstanceOf(PermanentRunError);
    }
    await expect(prepareWorkspace(runOptions({ branch: "agentdesk/Bad..name" }))).rejects.toBeInstanceOf(
      PermanentRunError,
    );
    await expect(prepareWorkspace(runOptions({ runId: "../escape" }))).rejects.toBeInstanceOf(PermanentRunError);
  });

  it("gives git the credential through askpass only, never in the URL or arguments", async () => {
    const token = "tok-0123456789-secret";
    const seen: { url: string; authorization?: string }[] = [];
    const server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? "", authorization: req.headers.authorization });
      if (!req.headers.authorization) {
        res.writeHead(401, { "www-authenticate": 'Basic realm="test"' }).end();
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const url = `http://127.0.0.1:${port}/org/private.git`;
      const attempt = prepareWorkspace(runOptions({ repo: { name: "private", url }, credential: token }));
      await expect(attempt).rejects.toBeInstanceOf(PermanentRunError);
      await attempt.catch((e: Error) => expect(e.message).not.toContain(token));
      const basic = `Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
      expect(seen.map((s) => s.authorization)).toContain(basic);
      expect(seen.every((s) => !s.url.includes(token))).toBe(true);
      await expect(fs.access(mirrorPath(config.dataDir, url))).rejects.toThrow();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("removes a dead process's attempt folder at start-up and leaves a live one", async () => {
    const dead = await prepareWorkspace(runOptions());
    const live = await prepareWorkspace(runOptions());
    const deadPid = await exitedPid();
    const ownerFile = path.join(dead.dir, "owner.json");
    const owner = JSON.parse(await fs.readFile(ownerFile, "utf8")) as Record<string, unknown>;
    await fs.writeFile(ownerFile, JSON.stringify({ ...owner, pid: deadPid }));

    const removed = await cleanupStaleAttempts(config.dataDir, silentLogger);
    expect(removed).toEqual([dead.dir]);
    await expect(fs.access(dead.dir)).rejects.toThrow();
    // The run's repository stays: the run may still be resumed or reviewed.
    await fs.access(dead.gitDir);
    await fs.access(live.path);
    await releaseWorkspace(live);
  });

  it("describes the diff with renames, deletions and binary files", async () => {
    const ws = await prepareWorkspace(runOptions());
    await fs.rename(path.join(ws.path, "src/app.txt"), path.join(ws.path, "src/renamed.txt"));
    await fs.rm(path.join(ws.path, "README.md"));
    await fs.writeFile(path.join(ws.path, "image.bin"), Buffer.from([0, 1, 2, 0, 255]));
    await fs.writeFile(path.join(ws.path, "later.txt"), "later\nmore\n");
    const { headSha } = await commitAll({ tree: ws, author, message: "changes" });
    const diff = await diffCommits({ gitDir: ws.gitDir }, ws.baseSha, headSha);
    await releaseWorkspace(ws);

    const byPath = Object.fromEntries(diff.files.map((f) => [f.path, f]));
    expect(byPath["src/renamed.txt"]).toMatchObject({ status: "renamed", oldPath: "src/app.txt", binary: false });
    expect(byPath["README.md"]).toMatchObject({ status: "deleted", deletions: 1 });
    expect(byPath["image.bin"]).toMatchObject({ status: "added", binary: true });
    expect(byPath["later.txt"]).toMatchObject({ status: "modified", additions: 1, deletions: 0 });
    expect(diff.patch).toContain("rename from src/app.txt");
    expect(diff.truncated).toBe(false);

    const capped = await diffCommits({ gitDir: ws.gitDir }, ws.baseSha, headSha, 100);
    expect(capped.truncated).toBe(true);
    expect(Buffer.byteLength(capped.patch)).toBeLessThanOrEqual(100);
    expect(capped.files).toEqual(diff.files);
  });
});

/** The pid of a process that has exited (so no process has it, barring reuse in between). */
async function exitedPid(): Promise<number> {
  const child = spawn("true");
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid!;
}
