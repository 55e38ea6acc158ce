import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { queuePrefix } from "../queue";

/**
 * A look at a registered repository's remote from a job process: "Test connection" on the
 * repository admin page, and the branch list of the New run form's base-branch picker. It
 * runs in a job process, not in the web: only the job process holds the repository's
 * credential (its environment variable named by `credentialEnv`), and it talks to the remote
 * with the same git rules a run's fetch uses (jobs/git/lsRemote.ts). The web queues one job
 * on this queue and reads its result (lib/services/repoCheckRequest.ts); the web never runs
 * git against a remote itself.
 */
export const REPO_CHECKS_QUEUE = "repo-checks";

export const repoCheckPayload = z.object({
  url: z.string().min(1),
  credentialEnv: z.string().nullable(),
  defaultBranch: z.string().min(1),
});
export type RepoCheckPayload = z.infer<typeof repoCheckPayload>;

/** At most this many branch names come back (a remote with more lists its first ones). */
export const MAX_LISTED_BRANCHES = 2_000;

export const repoCheckResult = z.object({
  ok: z.boolean(),
  /** git's own words when the remote could not be listed (credential values masked). */
  error: z.string().nullable(),
  /** How many branches the remote lists (0 when the check failed). */
  branches: z.number().int().nonnegative(),
  /** Their names, sorted, at most MAX_LISTED_BRANCHES (empty when the check failed). */
  branchNames: z.array(z.string().min(1)).max(MAX_LISTED_BRANCHES),
  /** Whether the repository's default branch is among them. */
  defaultBranchFound: z.boolean(),
  /** The repository names a credential variable this job process does not have. */
  credentialMissing: z.boolean(),
  /** The job process that checked. */
  worker: z.string(),
  durationMs: z.number().nonnegative(),
});
export type RepoCheckResult = z.infer<typeof repoCheckResult>;

export function createRepoChecksQueue(connection: Redis, namespace = ""): Queue<RepoCheckPayload, RepoCheckResult> {
  return new Queue<RepoCheckPayload, RepoCheckResult>(REPO_CHECKS_QUEUE, { connection, prefix: queuePrefix(namespace) });
}
