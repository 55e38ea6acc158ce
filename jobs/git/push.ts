import { PermanentRunError } from "../errors";
import { validateRunBranch } from "./branchName";
import { GitError, remoteProtocols, runGit, type GitOptions } from "./exec";

/**
 * Pushing a run's branch: exactly one ref (`refs/heads/agentdesk/…`), at exactly the decided
 * commit, guarded by `--force-with-lease` so a branch someone else moved is never overwritten.
 * Pushed from the run's own repository to the registered URL named on the command line (never
 * a remote of a config); hooks are off for every git command (exec.ts); credentials come only
 * in `env`, and its askpass answers only for that URL's origin.
 */
const REMOTE_TIMEOUT_MS = 5 * 60_000;

/** The remote refused the push for a reason retrying cannot fix (it moved, or said no). */
export class PushRejectedError extends PermanentRunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PushRejectedError";
  }
}

export type PushTarget = {
  /** The run's repository (runRepo.ts). */
  gitDir: string;
  /** The registered repository URL, from the job payload. */
  url: string;
  allowLocalRepos: boolean;
  branch: string;
  baseBranch: string;
  headSha: string;
  /** Where the remote branch must be now: the run's last pushed commit, or null (absent). */
  expectedRemoteSha: string | null;
  /** askpass variables for the remote commands (credentials.ts), or {}. */
  env: Record<string, string>;
  signal?: AbortSignal;
};

const short = (sha: string | null) => (sha ? sha.slice(0, 12) : "nothing");

/** Refuses anything but a run branch: never the base branch, nothing outside agentdesk/. */
export async function checkPushableBranch(branch: string, baseBranch: string): Promise<void> {
  if (branch === baseBranch) throw new PermanentRunError(`refusing to push to the base branch "${baseBranch}"`);
  await validateRunBranch(branch);
}

function remoteOptions(t: Pick<PushTarget, "gitDir" | "allowLocalRepos" | "env" | "signal">): GitOptions {
  return { gitDir: t.gitDir, env: t.env, signal: t.signal, timeoutMs: REMOTE_TIMEOUT_MS, protocols: remoteProtocols(t.allowLocalRepos) };
}

/** The commit a branch is at on the remote, or null when the remote has no such branch. */
export async function remoteBranchSha(t: Pick<PushTarget, "gitDir" | "url" | "allowLocalRepos" | "branch" | "env" | "signal">): Promise<string | null> {
  const ref = `refs/heads/${t.branch}`;
  const { stdout } = await runGit(["ls-remote", "--heads", "--end-of-options", t.url, ref], remoteOptions(t));
  for (const line of stdout.split("\n")) {
    const [sha, name] = line.split("\t");
    if (name === ref && sha) return sha;
  }
  return null;
}

const REJECTED = /\[rejected\]|\[remote rejected\]|stale info|non-fast-forward|fetch first|failed to push some refs/i;

/**
 * Pushes `headSha` to the run's branch on the remote. Returns `pushed: false` when the remote
 * already has it there (a retried job, or another job process got there first).
 */
export async function pushRunBranch(t: PushTarget): Promise<{ pushed: boolean }> {
  await checkPushableBranch(t.branch, t.baseBranch);
  const ref = `refs/heads/${t.branch}`;
  const before = await remoteBranchSha(t);
  if (before === t.headSha) return { pushed: false };
  if (before !== t.expectedRemoteSha) throw movedError(t, before);
  try {
    await runGit(
      ["push", "--porcelain", "--no-verify", "--no-follow-tags", `--force-with-lease=${ref}:${t.expectedRemoteSha ?? ""}`, "--end-of-options", t.url, `${t.headSha}:${ref}`],
      remoteOptions(t),
    );
    return { pushed: true };
  } catch (e) {
    if (!(e instanceof GitError) || !REJECTED.test(e.stderr + e.message)) throw e;
    // The lease failed between our look and the push: someone pushed. If it is our commit
    // (another job process pushing the same decision), the work is done.
    const after = await remoteBranchSha(t);
    if (after === t.headSha) return { pushed: false };
    throw movedError(t, after, e);
  }
}

function movedError(t: PushTarget, actual: string | null, cause?: unknown): PushRejectedError {
  return new PushRejectedError(
    `the remote branch ${t.branch} is at ${short(actual)}, not at ${short(t.expectedRemoteSha)} where AgentDesk expected it: ` +
      `someone else changed it, so it was not overwritten`,
    { cause },
  );
}
