import fs from "node:fs/promises";
import path from "node:path";
import { credentialEnv } from "./credentials";
import { remoteProtocols, runGit } from "./exec";
import { checkRepoUrl } from "./remoteUrl";

export type LsRemoteOptions = {
  dataDir: string;
  /** The registered repository URL (from the job payload). */
  url: string;
  allowLocalRepos: boolean;
  /** The repository's credential, read from this process's environment; undefined: none. */
  credential?: string;
  timeoutMs: number;
  maxStdoutBytes: number;
};

export type RemoteHeads = {
  /** Branch names (without refs/heads/), in the remote's order. */
  heads: string[];
  /** The listing was longer than maxStdoutBytes: `heads` is its beginning. */
  truncated: boolean;
};

/**
 * An empty folder of the platform's own to run git in. `ls-remote` needs no repository, but
 * git still looks for one from its working directory upwards and reads that repository's
 * config (a `url.<base>.insteadOf` there would redirect the registered URL, and the
 * credential with it); GIT_CEILING_DIRECTORIES stops the search at this folder.
 */
async function nowhere(dataDir: string): Promise<{ cwd: string; env: Record<string, string> }> {
  const cwd = path.join(path.resolve(dataDir), "git-nowhere");
  await fs.mkdir(cwd, { recursive: true });
  return { cwd, env: { GIT_CEILING_DIRECTORIES: path.dirname(cwd) } };
}

/**
 * The remote's branches as a run's fetch reaches them (jobs/git/mirror.ts updateMirror): the
 * URL checked by the same rules (checkRepoUrl: no `ext::`, no option-like URL), only the
 * transports the install allows, the credential only through askpass for the registered
 * origin, no host or repository git configuration, hooks off (runGit). Throws
 * PermanentRunError for a URL the rules refuse and GitError for git's own failures.
 */
export async function listRemoteHeads(options: LsRemoteOptions): Promise<RemoteHeads> {
  const { dataDir, url, allowLocalRepos, credential, timeoutMs, maxStdoutBytes } = options;
  checkRepoUrl(url, allowLocalRepos);
  const where = await nowhere(dataDir);
  const { stdout, truncated } = await runGit(["ls-remote", "--heads", "--", url], {
    cwd: where.cwd,
    protocols: remoteProtocols(allowLocalRepos),
    env: { ...where.env, ...(await credentialEnv(dataDir, credential, url)) },
    timeoutMs,
    maxStdoutBytes,
  });
  const heads = stdout
    .split("\n")
    .map((line) => line.split("\t")[1])
    .filter((ref): ref is string => !!ref?.startsWith("refs/heads/"))
    .map((ref) => ref.slice("refs/heads/".length));
  // A cut-off listing's last line may be cut too.
  return { heads: truncated ? heads.slice(0, -1) : heads, truncated };
}
