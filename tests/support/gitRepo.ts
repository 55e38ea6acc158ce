import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

/**
 * Real git repositories for tests: a bare "remote" (what a run's repository URL points at)
 * and a working clone used to put commits into it. Shared by the job-process tests, the web
 * tests and the browser test.
 *
 *   const repo = await createTestRepo({ files: { "README.md": "hello\n" } });
 *   repo.url                      // register this as the repository URL (ALLOW_LOCAL_REPOS=1)
 *   await repo.commit({ "a.txt": "x" }, "add a");   // on main, pushed to the remote
 *   await repo.remove();
 */
const run = promisify(execFile);

// Independent of the host's git configuration, so tests behave the same everywhere.
const TEST_GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  GIT_AUTHOR_NAME: "Test Author",
  GIT_AUTHOR_EMAIL: "test-author@example.com",
  GIT_COMMITTER_NAME: "Test Author",
  GIT_COMMITTER_EMAIL: "test-author@example.com",
  LC_ALL: "C",
};

/** Runs git in `cwd` with a clean configuration; returns trimmed stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...TEST_GIT_ENV };
  for (const name of Object.keys(env)) {
    if (name.startsWith("GIT_") && !(name in TEST_GIT_ENV)) delete env[name];
  }
  const { stdout } = await run("git", args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** File contents by path; `null` deletes the file. */
export type FileChanges = Record<string, string | Buffer | null>;

export type TestRepo = {
  /** Temporary folder holding everything below. */
  root: string;
  /** The bare remote repository's path: the URL to give AgentDesk. */
  url: string;
  /** A working clone used by `commit`; tests may also run git in it. */
  work: string;
  defaultBranch: string;
  /** Commits the changes on `branch` (created from the default branch if new) and pushes it. Returns the sha. */
  commit(files: FileChanges, message: string, branch?: string): Promise<string>;
  /** The remote's sha of a branch, or null if it does not exist there. */
  remoteSha(branch: string): Promise<string | null>;
  /** Deletes a branch on the remote. */
  deleteRemoteBranch(branch: string): Promise<void>;
  /** Installs an executable hook in the remote (e.g. to prove hooks never run). */
  addRemoteHook(name: string, script: string): Promise<void>;
  remove(): Promise<void>;
};

export async function createTestRepo(
  options: { files?: FileChanges; defaultBranch?: string; message?: string } = {},
): Promise<TestRepo> {
  const defaultBranch = options.defaultBranch ?? "main";
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-repo-"));
  const url = path.join(root, "remote.git");
  const work = path.join(root, "work");
  await git(root, "init", "--quiet", "--bare", `--initial-branch=${defaultBranch}`, url);
  await git(root, "init", "--quiet", `--initial-branch=${defaultBranch}`, work);
  await git(work, "remote", "add", "origin", url);

  const writeFiles = async (files: FileChanges) => {
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(work, name);
      if (content === null) {
        await fs.rm(file, { force: true });
      } else {
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, content);
      }
    }
  };

  const repo: TestRepo = {
    root,
    url,
    work,
    defaultBranch,
    async commit(files, message, branch = defaultBranch) {
      const current = await git(work, "symbolic-ref", "--short", "HEAD");
      if (current !== branch) {
        const exists = (await git(work, "branch", "--list", branch)) !== "";
        await git(work, "checkout", "--quiet", ...(exists ? [branch] : ["-b", branch, defaultBranch]));
      }
      await writeFiles(files);
      await git(work, "add", "--all");
      await git(work, "commit", "--quiet", "--allow-empty", "-m", message);
      await git(work, "push", "--quiet", "origin", `HEAD:refs/heads/${branch}`);
      return git(work, "rev-parse", "HEAD");
    },
    async remoteSha(branch) {
      const out = await git(url, "for-each-ref", "--format=%(objectname)", `refs/heads/${branch}`);
      return out === "" ? null : out;
    },
    async deleteRemoteBranch(branch) {
      await git(url, "update-ref", "-d", `refs/heads/${branch}`);
    },
    async addRemoteHook(name, script) {
      const file = path.join(url, "hooks", name);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, script, { mode: 0o755 });
    },
    async remove() {
      await fs.rm(root, { recursive: true, force: true });
    },
  };

  await repo.commit(options.files ?? { "README.md": "# test repository\n" }, options.message ?? "initial commit");
  return repo;
}
