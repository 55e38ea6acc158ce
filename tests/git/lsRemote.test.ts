import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { remoteProtocols, runGit } from "../../jobs/git/exec";
import { listRemoteHeads } from "../../jobs/git/lsRemote";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";

/**
 * `git ls-remote` needs no repository, but git still looks for one from its working directory
 * up and reads its config. The job process's listing (Test connection, the branch picker) must
 * not: a `url.<base>.insteadOf` in a repository around the data folder would send the
 * registered URL, and its credential, elsewhere.
 */
describe("listRemoteHeads", () => {
  let remote: TestRepo;
  let outer: string;
  let dataDir: string;
  const REDIRECTED = "/agentdesk-redirected/remote.git";

  beforeAll(async () => {
    remote = await createTestRepo({ files: { "README.md": "hello\n" } });
    await remote.commit({ "a.txt": "a" }, "feature", "feature/x");
    // A repository holding the data folder, whose config rewrites a URL to the test remote.
    outer = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-lsremote-"));
    await git(outer, "init", "--quiet");
    await git(outer, "config", `url.${path.dirname(remote.url)}/.insteadOf`, "/agentdesk-redirected/");
    dataDir = path.join(outer, "data");
    await fs.mkdir(dataDir);
  });

  afterAll(async () => {
    await remote?.remove();
    await fs.rm(outer, { recursive: true, force: true });
  });

  it("lists the remote's branches", async () => {
    const listed = await listRemoteHeads({ dataDir, url: remote.url, allowLocalRepos: true, timeoutMs: 20_000, maxStdoutBytes: 1 << 20 });
    expect(listed).toEqual({ heads: expect.arrayContaining(["main", "feature/x"]), truncated: false });
    expect(listed.heads).toHaveLength(2);
  });

  it("reads no repository config around its working directory", async () => {
    // What the rewrite does to a plain ls-remote run inside the data folder: it reaches the remote.
    const plain = await runGit(["ls-remote", "--heads", "--", REDIRECTED], { cwd: dataDir, protocols: remoteProtocols(true), timeoutMs: 20_000 });
    expect(plain.stdout).toContain("refs/heads/feature/x");
    await expect(
      listRemoteHeads({ dataDir, url: REDIRECTED, allowLocalRepos: true, timeoutMs: 20_000, maxStdoutBytes: 1 << 20 }),
    ).rejects.toThrow(/does not appear to be a git repository/);
  });

  it("refuses an ext:: URL before git, and git refuses the transport anyway", async () => {
    const marker = path.join(outer, "pwned");
    await expect(
      listRemoteHeads({ dataDir, url: `ext::sh -c touch% ${marker}`, allowLocalRepos: true, timeoutMs: 20_000, maxStdoutBytes: 1 << 20 }),
    ).rejects.toThrow(/not an https, ssh or http URL/);
    await expect(fs.stat(marker)).rejects.toThrow(/ENOENT/);
  });
});
