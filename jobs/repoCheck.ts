import { Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { readCredential, type Config } from "../lib/config";
import { REPO_CHECKS_QUEUE, repoCheckPayload, type RepoCheckPayload, type RepoCheckResult } from "../lib/contracts/repoCheck";
import { queuePrefix } from "../lib/queue";
import { errorMessage } from "./errors";
import { credentialEnv } from "./git/credentials";
import { GitError, remoteProtocols, runGit } from "./git/exec";
import { checkRepoUrl } from "./git/remoteUrl";
import type { Logger } from "./logger";

const LS_REMOTE_TIMEOUT_MS = 20_000;
// A remote with very many branches: the count is capped, the check is about reachability.
const MAX_LS_REMOTE_BYTES = 4 * 1024 * 1024;

/**
 * Lists the remote's branches as a run's fetch would reach it: the URL checked by the same
 * rules, the same transports, the credential only through askpass for the registered origin,
 * no host git configuration. Never throws: a failure is the result, in git's words.
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
  const result = (fields: Pick<RepoCheckResult, "ok" | "error" | "branches" | "defaultBranchFound">): RepoCheckResult => ({
    ...fields,
    credentialMissing,
    worker,
    durationMs: Date.now() - started,
  });
  try {
    checkRepoUrl(payload.url, config.allowLocalRepos);
    const { stdout, truncated } = await runGit(["ls-remote", "--heads", "--", payload.url], {
      protocols: remoteProtocols(config.allowLocalRepos),
      env: await credentialEnv(config.dataDir, credential, payload.url),
      timeoutMs: LS_REMOTE_TIMEOUT_MS,
      maxStdoutBytes: MAX_LS_REMOTE_BYTES,
    });
    const heads = stdout
      .split("\n")
      .map((line) => line.split("\t")[1])
      .filter((ref): ref is string => !!ref?.startsWith("refs/heads/"));
    const lines = truncated ? heads.slice(0, -1) : heads;
    return result({
      ok: true,
      error: null,
      branches: lines.length,
      defaultBranchFound: lines.includes(`refs/heads/${payload.defaultBranch}`),
    });
  } catch (e) {
    const message = e instanceof GitError ? e.stderr.trim() || e.message : errorMessage(e);
    return result({ ok: false, error: mask(message).slice(0, 4000), branches: 0, defaultBranchFound: false });
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
