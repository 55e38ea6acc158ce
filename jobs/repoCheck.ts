import { Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { readCredential, type Config } from "../lib/config";
import {
  MAX_LISTED_BRANCHES,
  REPO_CHECKS_QUEUE,
  repoCheckPayload,
  type RepoCheckPayload,
  type RepoCheckResult,
} from "../lib/contracts/repoCheck";
import { queuePrefix } from "../lib/queue";
import { errorMessage } from "./errors";
import { GitError } from "./git/exec";
import { listRemoteHeads } from "./git/lsRemote";
import type { Logger } from "./logger";

const LS_REMOTE_TIMEOUT_MS = 20_000;
// A remote with very many branches: the count is capped, the check is about reachability.
const MAX_LS_REMOTE_BYTES = 4 * 1024 * 1024;

/**
 * Lists the remote's branches as a run's fetch would reach it (listRemoteHeads: the URL
 * checked by the same rules, the same transports, the credential only through askpass for the
 * registered origin, no host or repository git configuration). Answers both "Test connection"
 * and the New run form's branch list. Never throws: a failure is the result, in git's words.
 */
export async function checkRepoConnection(
  config: Pick<Config, "dataDir" | "allowLocalRepos">,
  payload: RepoCheckPayload,
  worker: string,
  env: Record<string, string | undefined> = process.env,
): Promise<RepoCheckResult> {
  const started = Date.now();
  const credential = payload.credentialEnv ? readCredential(payload.credentialEnv, env) : undefined;
  const credentialMissing = payload.credentialEnv !== null && credential === undefined;
  const mask = (text: string) => (credential ? text.split(credential).join("***") : text);
  const result = (fields: Pick<RepoCheckResult, "ok" | "error" | "branches" | "branchNames" | "defaultBranchFound">): RepoCheckResult => ({
    ...fields,
    credentialMissing,
    worker,
    durationMs: Date.now() - started,
  });
  try {
    const { heads } = await listRemoteHeads({
      dataDir: config.dataDir,
      url: payload.url,
      allowLocalRepos: config.allowLocalRepos,
      credential,
      timeoutMs: LS_REMOTE_TIMEOUT_MS,
      maxStdoutBytes: MAX_LS_REMOTE_BYTES,
    });
    return result({
      ok: true,
      error: null,
      branches: heads.length,
      branchNames: [...heads].sort((a, b) => a.localeCompare(b)).slice(0, MAX_LISTED_BRANCHES),
      defaultBranchFound: heads.includes(payload.defaultBranch),
    });
  } catch (e) {
    const message = e instanceof GitError ? e.stderr.trim() || e.message : errorMessage(e);
    return result({ ok: false, error: mask(message).slice(0, 4000), branches: 0, branchNames: [], defaultBranchFound: false });
  }
}

/** The worker of the `repo-checks` queue: one check at a time is plenty for an admin's button. */
export async function createRepoCheckWorker(opts: {
  config: Config;
  redis: Redis;
  namespace: string;
  name: string;
  logger: Logger;
}): Promise<Worker<RepoCheckPayload, RepoCheckResult>> {
  const { config, logger } = opts;
  const processor = async (job: Job<RepoCheckPayload>): Promise<RepoCheckResult> => {
    const payload = repoCheckPayload.parse(job.data);
    const outcome = await checkRepoConnection(config, payload, opts.name);
    logger.info("repository connection checked", { jobId: job.id, ok: outcome.ok, durationMs: outcome.durationMs });
    return outcome;
  };
  const worker = new Worker<RepoCheckPayload, RepoCheckResult>(REPO_CHECKS_QUEUE, processor, {
    connection: opts.redis,
    prefix: queuePrefix(opts.namespace),
    concurrency: 2,
  });
  worker.on("error", (e) => logger.error("repo-check worker error", { error: errorMessage(e) }));
  await worker.waitUntilReady();
  return worker;
}
