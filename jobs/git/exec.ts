import { spawn } from "node:child_process";

/**
 * A thin wrapper over the `git` binary rather than simple-git: simple-git 4 refuses exactly
 * the settings this process depends on (`-c core.hooksPath=…` needs `allowUnsafeHooksPath`,
 * GIT_ASKPASS and GIT_CONFIG_COUNT are blocked by its environment guard) and merges in the
 * ambient environment, while we want a small, explicit environment for every git command.
 */

// Every invocation, whatever a repository's config says (the platform writes the config of
// its own repositories, but a setting that executes or redirects must not depend on that
// alone): no hooks, no credential helper or askpass program of a config, no fsmonitor daemon,
// no attributes file of the host, no automatic gc (a run's repository borrows the mirror's
// objects; a gc of the mirror must never prune them), no submodule recursion, no signing.
const SAFE_CONFIG = [
  "-c", "core.hooksPath=/dev/null",
  "-c", "credential.helper=",
  "-c", "core.askPass=",
  "-c", "core.fsmonitor=false",
  "-c", "core.attributesFile=/dev/null",
  "-c", "protocol.allow=never",
  "-c", "gc.auto=0",
  "-c", "maintenance.auto=false",
  "-c", "submodule.recurse=false",
  "-c", "fetch.recurseSubmodules=false",
  "-c", "push.recurseSubmodules=no",
  "-c", "commit.gpgSign=false",
];

/**
 * Transports a remote command may use: https and ssh; plain http (test servers) and local
 * paths (`file`) only where the install allows local repositories. `ext::` never.
 */
export function remoteProtocols(allowLocalRepos: boolean): string[] {
  return allowLocalRepos ? ["https", "ssh", "http", "file"] : ["https", "ssh"];
}

// What git may see of our environment: enough to find programs, ssh keys and proxies. No
// GIT_* variable of the host (GIT_DIR, GIT_CONFIG_*… would change what git does) and no
// credential of any repository unless the caller passes it for this one command.
const INHERITED_ENV = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "TMPDIR",
  "TZ",
  "SSH_AUTH_SOCK",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "all_proxy",
];

export function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    // Messages in English so errors can be classified; never prompt on a terminal.
    LC_ALL: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_SSH_COMMAND: "ssh -o BatchMode=yes",
    // The host's ~/.gitconfig and /etc/gitconfig could sign commits, rewrite URLs or add
    // hooks; the mirror's own config (written by us) is the only one git reads.
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_ATTR_NOSYSTEM: "1",
    // Replace refs and grafts rewrite what a commit looks like; the platform uses neither.
    GIT_NO_REPLACE_OBJECTS: "1",
    GIT_GRAFT_FILE: "/dev/null",
    // No transport unless the command names its protocols (runGit's `protocols`).
    GIT_ALLOW_PROTOCOL: "",
    ...extra,
  };
}

export type GitOptions = {
  /** Working directory; without `gitDir` git finds the repository from it (not for run workspaces). */
  cwd?: string;
  /** The repository, passed as --git-dir (git never looks for one in a folder). */
  gitDir?: string;
  /** The files `gitDir` describes, passed as --work-tree (also the working directory). */
  workTree?: string;
  /** Transports this command may use (remoteProtocols); none by default. */
  protocols?: string[];
  /** Variables for this command only (credentials, author identity). */
  env?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Stop reading stdout after this many bytes and stop git; the result says `truncated`. */
  maxStdoutBytes?: number;
  /** Written to git's stdin (e.g. `update-ref --stdin`). */
  input?: string;
};

export type GitResult = { stdout: string; stderr: string; truncated: boolean };

export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    reason?: string,
  ) {
    super(`git ${args[0] ?? ""} ${reason ?? `failed (exit ${exitCode})`}: ${lastLines(stderr)}`);
    this.name = "GitError";
  }
}

/** The command was stopped because its signal fired; `reason` is the signal's reason. */
export class GitAbortedError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly reason: unknown,
  ) {
    super(`git ${args[0] ?? ""} was stopped`);
    this.name = "GitAbortedError";
  }
}

const MAX_STDERR_BYTES = 64 * 1024;

export function runGit(args: string[], options: GitOptions = {}): Promise<GitResult> {
  const { gitDir, workTree, protocols, env, signal, timeoutMs, maxStdoutBytes, input } = options;
  const cwd = workTree ?? options.cwd;
  const fullArgs = [
    ...SAFE_CONFIG,
    ...(gitDir ? [`--git-dir=${gitDir}`] : []),
    ...(workTree ? [`--work-tree=${workTree}`] : []),
    ...args,
  ];
  return new Promise<GitResult>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new GitAbortedError(args, signal.reason));
      return;
    }
    const child = spawn("git", fullArgs, {
      cwd,
      // Next.js's types make NODE_ENV required in ProcessEnv; a child's environment needs none.
      env: gitEnv({ ...env, GIT_ALLOW_PROTOCOL: (protocols ?? []).join(":") }) as NodeJS.ProcessEnv,
      stdio: "pipe",
    });
    // EPIPE: git exited without reading its input; its exit status says whether that is wrong.
    child.stdin.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") reject(e);
    });
    child.stdin.end(input ?? "");
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let truncated = false;
    let stoppedBy: "abort" | "timeout" | null = null;

    const stop = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    };
    const onAbort = () => {
      stoppedBy = "abort";
      stop();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            stoppedBy = "timeout";
            stop();
          }, timeoutMs);

    child.stdout.on("data", (chunk: Buffer) => {
      if (truncated) return;
      if (maxStdoutBytes !== undefined && outBytes + chunk.length > maxStdoutBytes) {
        out.push(chunk.subarray(0, maxStdoutBytes - outBytes));
        outBytes = maxStdoutBytes;
        truncated = true;
        stop();
        return;
      }
      out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (errBytes < MAX_STDERR_BYTES) err.push(chunk);
      errBytes += chunk.length;
    });
    child.on("error", (e) => {
      cleanup();
      reject(new Error(`could not run git ${args[0] ?? ""}: ${e.message}`, { cause: e }));
    });
    child.on("close", (code) => {
      cleanup();
      const stdout = Buffer.concat(out).toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      if (stoppedBy === "abort") reject(new GitAbortedError(args, signal?.reason));
      else if (stoppedBy === "timeout") reject(new GitError(args, code, stderr, `timed out after ${timeoutMs} ms`));
      else if (code === 0 || truncated) resolve({ stdout, stderr, truncated });
      else reject(new GitError(args, code, stderr));
    });

    function cleanup() {
      signal?.removeEventListener("abort", onAbort);
      if (timer) clearTimeout(timer);
    }
  });
}

/** `git … --quiet`-style commands answer with exit code 1 for "yes, different". */
export async function gitSucceeds(args: string[], options: GitOptions = {}): Promise<boolean> {
  try {
    await runGit(args, options);
    return true;
  } catch (e) {
    if (e instanceof GitError && e.exitCode === 1) return false;
    throw e;
  }
}

const LOCK_ERROR = /\.lock'?: File exists|Unable to create '[^']*\.lock'|cannot lock ref|could not lock/i;

export function isLockError(e: unknown): boolean {
  return e instanceof GitError && LOCK_ERROR.test(e.stderr);
}

/**
 * Runs `fn` again when git reports another git process holding a lock (another job process
 * sharing the data folder, or a `gc --auto`), with a short growing pause.
 */
export async function withLockRetry<T>(fn: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!isLockError(e) || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, 100 * i * i));
    }
  }
}

function lastLines(text: string, n = 5): string {
  return text.trim().split("\n").slice(-n).join(" | ");
}
