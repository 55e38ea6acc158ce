import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { queuePrefix } from "../queue";

/**
 * "Test connection" of a registered repository. The check runs in a job process, not in the
 * web: only the job process holds the repository's credential (its environment variable named
 * by `credentialEnv`), and it talks to the remote with the same git rules a run's fetch uses.
 * The web queues one job on this queue and reads its result.
 */
export const REPO_CHECKS_QUEUE = "repo-checks";

export const repoCheckPayload = z.object({
  url: z.string().min(1),
  credentialEnv: z.string().nullable(),
  defaultBranch: z.string().min(1),
});
export type RepoCheckPayload = z.infer<typeof repoCheckPayload>;

export const repoCheckResult = z.object({
  ok: z.boolean(),
  /** git's own words when the remote could not be listed (credential values masked). */
  error: z.string().nullable(),
  /** How many branches the remote lists (0 when the check failed). */
  branches: z.number().int().nonnegative(),
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
