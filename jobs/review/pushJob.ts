import { UnrecoverableError, type Job } from "bullmq";
import { forgetRunState } from "../../lib/runRetention";
import { readCredential, type Config } from "../../lib/config";
import type { EventLog } from "../../lib/eventLog";
import type { JobPayload, PushJobPayload } from "../../lib/queue";
import { describeFindings } from "../../lib/secretFindings";
import { createRunEmitter } from "../emit";
import { PermanentRunError, errorMessage } from "../errors";
import { credentialEnv } from "../git/credentials";
import { mirrorPath, updateMirror, withMirrorLock } from "../git/mirror";
import { checkPushableBranch, pushRunBranch } from "../git/push";
import { ensureRunRepo, removeRunRepo } from "../git/runRepo";
import { ensurePullRequest } from "../github/pullRequest";
import type { Logger } from "../logger";
import type { JobOutcome } from "../metrics";
import { checkRepoUrl } from "../workspace";
import { ensureDecidedCommit } from "./branchAtHead";
import { findSecretsToPush, secretsOfRun } from "./branchSecrets";
import { outcomeAnnounced, outcomeOnceKey, startOnceKey, withPushLock } from "./pushLock";
import { displayRemote } from "../../lib/displayRemote";

export type ReviewJobDeps = { config: Config; eventLog: EventLog; logger: Logger };

/**
 * A push decision carried out: the mirror fetched, the decided commit present in the run's
 * repository (made on this machine, or restored from the run's bundle), that commit pushed to
 * the run's branch only, then the pull request when asked. At most one push per decision,
 * whatever BullMQ redelivers, and it finishes after a crash at any point: the retry looks at
 * the remote (the branch already at the decided commit counts as pushed) and looks for the
 * pull request before opening one. `push.started` and `push.finished` are announced once per
 * decision, so a retry or a woken duplicate never walks the run's status back.
 */
export async function processPushJob(deps: ReviewJobDeps, job: Job<JobPayload>, payload: PushJobPayload): Promise<JobOutcome> {
  const { config, eventLog } = deps;
  const { runId, decisionId, repo } = payload;
  const secrets = secretsOfRun(config, repo.credentialEnv, payload.environment).map((s) => s.value);
  const logger = deps.logger.child({ runId, jobId: job.id, decisionId }, secrets);
  const emit = createRunEmitter(eventLog, runId, secrets);
  const remote = displayRemote(repo.url);
  const finished = { onceKey: outcomeOnceKey(eventLog, decisionId) };

  return withPushLock(eventLog, runId, async (lockLost) => {
    if (await outcomeAnnounced(eventLog, decisionId)) {
      logger.info("push decision already carried out; nothing to do");
      return "skipped";
    }
    try {
      await emit({ type: "push.started", remote, branch: payload.branch }, { onceKey: startOnceKey(eventLog, decisionId) });
      const pushed = await push(deps, payload, lockLost);
      // The branch is on the remote now: no job process needs the run's repository or bundle
      // (a retry after a crash from here on finds the commit in the fetched mirror).
      await removeRunRepo(config.dataDir, runId);
      await forgetRunState(eventLog, runId);
      logger.info(pushed.pushed ? "pushed the run's branch" : "the remote already had the decided commit", {
        branch: payload.branch,
        commit: payload.headSha,
      });
      const pr = await pullRequest(config, payload, logger);
      lockLost.throwIfAborted();
      await emit({ type: "push.finished", ok: true, remote, branch: payload.branch, commit: payload.headSha, ...pr }, finished);
      return "completed";
    } catch (e) {
      // Another job process holds the push now; it announces the outcome, not this one.
      if (lockLost.aborted) throw lockLost.reason;
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!(e instanceof PermanentRunError) && !last) {
        logger.warn("push failed; it will be retried", { error: errorMessage(e) });
        throw e;
      }
      // Back to review with the reason; a person decides whether to push again ("Retry push").
      const error = `push failed: ${errorMessage(e)}`;
      logger.warn("push failed", { error });
      await emit({ type: "push.finished", ok: false, remote, branch: payload.branch, error }, finished);
      throw new UnrecoverableError(error);
    }
  });
}

async function push(deps: ReviewJobDeps, payload: PushJobPayload, signal: AbortSignal): Promise<{ pushed: boolean }> {
  const { config, eventLog } = deps;
  const { repo } = payload;
  checkRepoUrl(repo.url, config.allowLocalRepos);
  await checkPushableBranch(payload.branch, payload.baseBranch);
  const credential = repo.credentialEnv ? readCredential(repo.credentialEnv) : undefined;
  const mirror = mirrorPath(config.dataDir, repo.url);
  return withMirrorLock(mirror, async () => {
    await updateMirror({ dataDir: config.dataDir, url: repo.url, repoName: repo.name, allowLocalRepos: config.allowLocalRepos, credential });
    const gitDir = await ensureRunRepo(config.dataDir, payload.runId, mirror);
    await ensureDecidedCommit({ log: eventLog, runId: payload.runId, gitDir, headSha: payload.headSha });
    // Defence in depth: the web refuses such a push, but it may be stale or bypassed.
    const findings = await findSecretsToPush(gitDir, payload.headSha, secretsOfRun(config, repo.credentialEnv, payload.environment));
    if (findings.length > 0) throw new PermanentRunError(`secret in diff: ${describeFindings(findings)}`);
    return pushRunBranch({
      gitDir,
      url: repo.url,
      allowLocalRepos: config.allowLocalRepos,
      branch: payload.branch,
      baseBranch: payload.baseBranch,
      headSha: payload.headSha,
      expectedRemoteSha: payload.expectedRemoteSha,
      env: await credentialEnv(config.dataDir, credential, repo.url),
      signal,
    });
  });
}

/**
 * Opens (or finds) the pull request. The branch is already pushed, so a failure here is
 * reported with the successful push rather than undoing it.
 */
async function pullRequest(
  config: Config,
  payload: PushJobPayload,
  logger: Logger,
): Promise<{ pullRequestUrl?: string; error?: string }> {
  if (!payload.pullRequest) return {};
  const { githubRepo, credentialEnv: name } = payload.repo;
  const token = name ? readCredential(name) : undefined;
  if (!githubRepo || !token) {
    return { error: `pushed, but no pull request was opened: ${githubRepo ? `${name ?? "the credential"} is not set on this job process` : "the repository is not on GitHub"}` };
  }
  try {
    const { url, created } = await ensurePullRequest({
      apiUrl: config.githubApiUrl,
      githubRepo,
      token,
      branch: payload.branch,
      baseBranch: payload.baseBranch,
      title: payload.pullRequest.title,
      body: payload.pullRequest.body,
    });
    logger.info(created ? "opened a pull request" : "found the branch's open pull request", { url });
    return { pullRequestUrl: url };
  } catch (e) {
    logger.warn("could not open the pull request", { error: errorMessage(e) });
    return { error: `pushed, but the pull request could not be opened: ${errorMessage(e)}` };
  }
}
