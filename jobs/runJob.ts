import os from "node:os";
import { UnrecoverableError, WaitingError, type Job } from "bullmq";
import { readCredential, type Config } from "../lib/config";
import { spendingReader } from "./run/budgetWaitpoint";
import { StaleAttemptError, cancelRequestedBy, runEndedAs, type EventLog } from "../lib/eventLog";
import { DEFAULT_INPUT_TIMEOUT_SEC } from "../lib/inputTimeout";
import type { JobPayload, RunJobPayload } from "../lib/queue";
import { forgetRunState } from "../lib/runRetention";
import {
  createCheckpointSaver,
  deleteRunCheckpoint,
  hasCheckpointCommits,
  loadRunCheckpoint,
} from "./agent/checkpoint";
import { stopReasonOf, type RunRegistry } from "./cancellation";
import { createRunEmitter } from "./emit";
import { environmentCacheHooks } from "./environment/cacheAdmin";
import { prepareEnvironment } from "./environment/prepare";
import { PermanentRunError, errorMessage } from "./errors";
import { resolveExecutor, type ExecutorRegistry } from "./executors";
import type { RunEmit } from "./executors/types";
import { bundleBranch, loadRunBundle, saveRunBundle } from "./git/bundle";
import { commitAll, commitMessage, treesDiffer, type BranchTip } from "./git/commit";
import { diffCommits } from "./git/diff";
import { requestHumanInput } from "./humanInput";
import { RunSuspended, suspendRunJob } from "./input/suspension";
import type { Logger } from "./logger";
import type { JobOutcome } from "./metrics";
import { findSecretsInBranch, secretsOfRun } from "./review/branchSecrets";
import { runErrorHooks, runPostChecks, runPreChecks } from "./run/checkPhases";
import { loadChecks, type CheckRunContext } from "./run/checks";
import { startAttemptFence, type FenceRegistry, type RunStateWrites } from "./run/fence";
import { maskSecrets } from "./secrets";
import { prepareWorkspace, releaseWorkspace, type Workspace } from "./workspace";

export type RunJobDeps = {
  config: Config;
  eventLog: EventLog;
  runs: RunRegistry;
  executors: ExecutorRegistry;
  logger: Logger;
  /** The fences of this process's active deliveries (lock-renewal failures reach them). */
  fences: FenceRegistry;
  /** How often an active delivery checks it still holds its job lock. */
  fenceCheckMs?: number;
};

/** This process as it appears in `run.started`. */
export const workerName = `${os.hostname()}:${process.pid}`;

/**
 * One delivery of a run job: workspace, executor, commit, diff, and the run's lifecycle
 * events. Returns how it ended; throws what BullMQ must see (UnrecoverableError for a final
 * failure, WaitingError after putting the job back on shutdown, anything else to retry).
 */
export async function processRunJob(
  deps: RunJobDeps,
  job: Job<JobPayload>,
  token: string | undefined,
  payload: RunJobPayload,
): Promise<JobOutcome> {
  const { config, eventLog, runs } = deps;
  const { runId } = payload;
  // Everything the run must never show: the job process's secrets and what its environment reads.
  const secrets = secretsOfRun(config, payload.repo.credentialEnv, payload.environment).map((s) => s.value);
  const logger = deps.logger.child({ runId, jobId: job.id }, secrets);

  // BullMQ delivers at least once: a run that already ended must not run (or push) again. A
  // reviewer's follow-up starts after the run reached review, so it has its own marker.
  const followUpDone = payload.feedback ? eventLog.keys.runFollowUpDone(runId, payload.feedback.decisionId) : null;
  const endedAs = followUpDone ? await eventLog.redis.get(followUpDone) : await runEndedAs(eventLog, runId);
  if (endedAs) {
    logger.info("run already ended; nothing to do", { endedAs });
    return "skipped";
  }

  // Registered before the cancel key is read, so a request in between is not missed.
  const active = runs.register(runId);
  // Every change this delivery makes to the run outside its own folder is fenced by its job lock.
  const attemptFence = startAttemptFence({ redis: eventLog.redis, fences: deps.fences, logger, checkMs: deps.fenceCheckMs }, job, token, runId);
  const { fence } = attemptFence;
  fence.onLost(() => active.stop({ kind: "lost" }));
  const writes = fence.writes;
  const emit = createRunEmitter(eventLog, runId, secrets, fence);
  const timeoutSec = Math.min(payload.timeoutSec, config.runTimeoutMaxSec);
  const timer = setTimeout(() => active.stop({ kind: "timeout", seconds: timeoutSec }), timeoutSec * 1000);
  let workspace: Workspace | undefined;
  // The repository's checks, once the workspace can run them (the error hooks need it too).
  let checkRun: CheckRunContext | undefined;
  // Over for good with nothing to review: the run's repository goes with the attempt's folder.
  let runEnded = false;
  try {
    const cancelledBy = await cancelRequestedBy(eventLog, runId);
    if (cancelledBy) {
      await forgetRunState(eventLog, runId, writes.del);
      // A later delivery (a suspended run woken by the cancel, a retry) had started before.
      const reason = job.attemptsStarted > 1 ? `cancelled by ${cancelledBy}` : "cancelled before it started";
      await emit({ type: "run.cancelled", by: cancelledBy, reason });
      return "cancelled";
    }
    const attempt = Math.max(1, job.attemptsStarted);
    // A shutdown puts the job back without using an attempt: the checkpoint, not the attempt
    // number, says whether earlier work exists.
    const checkpoint = await loadRunCheckpoint(eventLog, runId);
    await emit({ type: "run.started", attempt, worker: workerName, resumed: attempt > 1 || checkpoint !== null });
    // Request changes: continue from the reviewed branch and the conversation that made it.
    const followUp = payload.feedback && !checkpoint ? await loadFollowUp(eventLog, runId, payload.feedback.text) : null;

    const resolved = resolveExecutor(deps.executors, payload.executor);
    if ("error" in resolved) throw new PermanentRunError(resolved.error);

    const started = Date.now();
    workspace = await prepareWorkspace({
      dataDir: config.dataDir,
      allowLocalRepos: config.allowLocalRepos,
      runId,
      repo: payload.repo,
      branch: payload.branch,
      baseBranch: payload.baseBranch,
      credential: payload.repo.credentialEnv ? readCredential(payload.repo.credentialEnv) : undefined,
      signal: active.signal,
      fence,
      pool: { size: config.workspacePoolSize, logger: deps.logger },
      resumeAt: checkpoint
        ? { headSha: checkpoint.headSha, baseSha: checkpoint.baseSha, loadBundle: () => loadRunBundle(eventLog, runId) }
        : followUp
          ? { headSha: followUp.headSha, baseSha: followUp.baseSha, loadBundle: () => loadRunBundle(eventLog, runId) }
          : undefined,
      stackedOn: payload.stackedOn ? { links: payload.stackedOn, loadBundle: (id) => loadRunBundle(eventLog, id) } : undefined,
    });
    await emit({
      type: "workspace.ready",
      branch: workspace.branch,
      baseBranch: workspace.baseBranch,
      baseSha: workspace.baseSha,
      durationMs: Date.now() - started,
    });
    // Where this attempt put the run's branch; it moves only from there, only under the fence.
    const gitDir = workspace.gitDir;
    const tip: BranchTip = {
      branch: workspace.branch,
      head: workspace.headSha,
      move: (next, prev) => fence.moveBranch(gitDir, workspace!.branch, next, prev),
    };
    if (followUp) {
      await emit({ type: "log", level: "info", message: "continuing on the same branch with the reviewer's feedback" });
    }
    if (checkpoint) {
      await emit({
        type: "log",
        level: "info",
        message: `resumed from checkpoint after turn ${checkpoint.turn} (saved by worker ${checkpoint.worker})`,
      });
    }

    checkRun = {
      workspace: { path: workspace.path, readOnlyPaths: workspace.readOnlyPaths },
      checks: await loadChecks(payload.environment, workspace, active.signal),
      emit,
      secrets,
      withheld: payload.repo.credentialEnv ? [payload.repo.credentialEnv] : [],
    };

    // The repository's environment (dependencies installed, secret files placed), on every
    // delivery: its outputs are never in the run's commits, so each delivery restores them.
    // Around its use of the cache: the admins' clears before a lookup, eviction after a save.
    const cacheHooks = environmentCacheHooks({ redis: eventLog.redis, config, worker: workerName, logger });
    await prepareEnvironment({ payload, workspace, emit, signal: active.signal, secrets, config, logger, cacheHooks });
    await runPreChecks(checkRun, { signal: active.signal, resumed: checkpoint !== null, headSha: workspace.headSha });

    const result = await resolved.executor.run({
      runId,
      payload,
      workspace: workspace.path,
      sandbox: { workspace: workspace.path, readOnlyPaths: workspace.readOnlyPaths, networkHosts: payload.repo.networkHosts },
      emit,
      signal: active.signal,
      secrets,
      logger,
      spending: spendingReader(eventLog.redis, config.redisPrefix, { runId, userId: payload.userId, spending: payload.spending }, emit, active.signal),
      requestInput: (request, options) =>
        requestHumanInput(
          {
            eventLog,
            emit,
            runId,
            signal: active.signal,
            timeoutSec: payload.inputTimeoutSec ?? DEFAULT_INPUT_TIMEOUT_SEC,
            canSuspend: true,
            logger,
          },
          request,
          options,
        ),
      checkpoint: createCheckpointSaver({
        log: eventLog,
        runId,
        tree: workspace,
        branch: workspace.branch,
        baseSha: workspace.baseSha,
        author: config.gitAuthor,
        worker: workerName,
        tip,
        writes,
      }),
      resumeFrom: checkpoint ? { turn: checkpoint.turn, state: checkpoint.state } : undefined,
      followUp: followUp ? { feedback: followUp.feedback, state: followUp.state } : undefined,
    });
    if (active.signal.aborted) throw new Error("the run was stopped");

    // One set of commits for the review: checkpoint commits fold into the final one.
    const squash = await hasCheckpointCommits(gitDir, workspace.baseSha, tip.head);
    // The commit the run's checkpoint record names, until the record is deleted below.
    const checkpointHead = tip.head;
    // Committed even when the executor failed, so nothing it did is lost.
    const { headSha } = await commitAll({
      tree: workspace,
      author: config.gitAuthor,
      // The subject comes from the prompt, which a user may have pasted a secret into.
      message: maskSecrets(commitMessage(payload), secrets),
      tip,
      parent: squash ? workspace.baseSha : undefined,
    });
    const changed = await treesDiffer(workspace.gitDir, workspace.baseSha, headSha);
    // The final branch travels with the run, so a push (or a follow-up) can run on any machine.
    // It still holds the checkpoint's commit: a crash before the record goes resumes from it.
    const bundle = await bundleBranch({ gitDir: workspace.gitDir, branch: workspace.branch, baseSha: workspace.baseSha, also: [checkpointHead] });
    if (bundle) await saveRunBundle(eventLog, runId, bundle, writes);
    if (!result.ok) {
      if (changed) {
        await emit({
          type: "log",
          level: "info",
          message: `the run made changes (commit ${headSha.slice(0, 12)}), but a failed run is not reviewed: they end with it; start a new run to redo them`,
        });
      }
      throw new PermanentRunError(result.error);
    }
    // On what the reviewer would push; a crash meanwhile still resumes from the checkpoint.
    if (changed) await runPostChecks(checkRun, { signal: active.signal, headSha });
    await deleteRunCheckpoint(eventLog, runId, writes);
    if (result.state !== undefined) await saveConversation(eventLog, writes, runId, result.state);
    if (!changed) {
      await forgetRunState(eventLog, runId, writes.del);
      await emit({ type: "run.completed", reason: "no changes" });
      runEnded = true;
      await markFollowUpDone(writes, followUpDone, "run.completed");
      return "completed";
    }
    const diff = await diffCommits({ gitDir: workspace.gitDir }, workspace.baseSha, headSha);
    // Push protection, every round: the review masks secrets, so the reviewer cannot see one.
    const held = secretsOfRun(config, payload.repo.credentialEnv, payload.environment);
    const secretFindings = await findSecretsInBranch({ gitDir: workspace.gitDir }, workspace.baseSha, headSha, held);
    await emit({ type: "diff.ready", baseSha: workspace.baseSha, headSha, ...diff, secretFindings });
    await emit({ type: "run.awaiting_review", branch: workspace.branch, headSha });
    await markFollowUpDone(writes, followUpDone, "run.awaiting_review");
    return "awaiting_review";
  } catch (e) {
    // The run is over for good: its checkpoint must not resume it, nor its follow-up run again.
    const forgetCheckpoint = async () => {
      await forgetRunState(eventLog, runId, writes.del);
      await markFollowUpDone(writes, followUpDone, "ended");
      runEnded = true;
    };
    const suspend = (suspended: RunSuspended) => suspendRunJob({ eventLog, job, token, runId, logger, writes }, suspended);
    const failed = checkRun;
    const onFailed = failed ? (message: string) => runErrorHooks(failed, message, logger) : undefined;
    return await handleFailure({ job, token, emit, logger, signal: active.signal, forgetCheckpoint, suspend, onFailed }, e);
  } finally {
    clearTimeout(timer);
    active.release();
    attemptFence.stop();
    // The run's repository goes only while this delivery still owns the run.
    const endRun = runEnded && (await fence.check("remove the run's repository").then(() => true, () => false));
    if (workspace) {
      await releaseWorkspace(workspace, { endRun }).catch((e: unknown) => {
        // The run's outcome stands; start-up cleanup removes what is left.
        logger.error("could not remove the run's workspace", { workspace: workspace?.path, error: errorMessage(e) });
      });
    }
  }
}

async function handleFailure(
  ctx: {
    job: Job<JobPayload>;
    token: string | undefined;
    emit: RunEmit;
    logger: Logger;
    signal: AbortSignal;
    /** The run is over for good: its checkpoint must not resume it. */
    forgetCheckpoint: () => Promise<void>;
    /** Gives back the worker slot until a person answers (throws DelayedError). */
    suspend: (suspended: RunSuspended) => Promise<never>;
    /** The run failed for good: the repository's error hooks, before its `run.failed`. */
    onFailed?: (message: string) => Promise<void>;
  },
  error: unknown,
): Promise<JobOutcome> {
  const { job, token, emit, logger, signal, forgetCheckpoint } = ctx;
  // Once the run's signal fired, whatever failed afterwards is a consequence of the stop.
  const stop = stopReasonOf(signal);
  if (stop?.kind === "lost" || error instanceof StaleAttemptError) {
    // Another delivery owns the run (or BullMQ gave the job up): this one changes nothing more,
    // not even to say so in the run's feed.
    logger.warn("this delivery lost its job lock; it stops without touching the run", { error: errorMessage(error) });
    throw error instanceof StaleAttemptError ? error : new Error("this delivery lost its job lock", { cause: error });
  }
  if (stop?.kind === "cancel") {
    await forgetCheckpoint();
    await emit({ type: "run.cancelled", by: stop.by, reason: `cancelled by ${stop.by}` });
    return "cancelled";
  }
  if (stop?.kind === "timeout") {
    await forgetCheckpoint();
    const message = `timed out after ${stop.seconds} s`;
    await ctx.onFailed?.(message);
    await emit({ type: "run.failed", error: message });
    throw new UnrecoverableError(message);
  }
  if (stop?.kind === "shutdown") {
    // No terminal event: the run is not over, another job process takes it up.
    await emit({ type: "log", level: "warn", message: "worker shutting down; the run will resume on another worker" });
    // Back to waiting without using up an attempt (moveToWait does not count one).
    await job.moveToWait(token);
    throw new WaitingError();
  }
  // Waiting for a person: the job sleeps without a worker slot until the answer wakes it.
  if (error instanceof RunSuspended) return ctx.suspend(error);
  if (error instanceof PermanentRunError) {
    await forgetCheckpoint();
    await ctx.onFailed?.(error.message);
    await emit({ type: "run.failed", error: error.message });
    throw new UnrecoverableError(error.message);
  }
  // Transient (network, Redis, a git lock held too long): BullMQ retries with backoff. Only
  // the last attempt tells the user the run failed.
  const message = errorMessage(error);
  const attempts = job.opts.attempts ?? 1;
  const last = job.attemptsMade + 1 >= attempts;
  logger.warn(last ? "run failed on its last attempt" : "run failed; it will be retried", {
    error: message,
    attemptsMade: job.attemptsMade + 1,
    attempts,
  });
  if (last) {
    await forgetCheckpoint();
    await ctx.onFailed?.(message);
    await emit({ type: "run.failed", error: message });
  }
  throw error;
}

const CONVERSATION_TTL_SEC = 30 * 24 * 3600;

/** Keeps the executor's final state for a reviewer's "request changes" (30 days). */
async function saveConversation(log: EventLog, writes: RunStateWrites, runId: string, state: unknown): Promise<void> {
  await writes.set(log.keys.runConversation(runId), JSON.stringify(state), CONVERSATION_TTL_SEC);
}

async function markFollowUpDone(writes: RunStateWrites, key: string | null, how: string): Promise<void> {
  if (key) await writes.set(key, how, CONVERSATION_TTL_SEC);
}

/**
 * What a follow-up needs: the reviewed branch (its bundle names the commit and the base) and
 * the conversation that produced it. Without either the run cannot continue, and says why.
 */
async function loadFollowUp(log: EventLog, runId: string, feedback: string) {
  const [raw, bundle] = await Promise.all([log.redis.get(log.keys.runConversation(runId)), loadRunBundle(log, runId)]);
  if (raw === null) {
    throw new PermanentRunError("the agent's earlier conversation is no longer kept (30 days after review); start a new run with this feedback");
  }
  if (bundle === null) throw new PermanentRunError("the reviewed branch is no longer kept with the run; start a new run with this feedback");
  let state: unknown;
  try {
    state = JSON.parse(raw);
  } catch (e) {
    throw new PermanentRunError("the agent's earlier conversation is not readable; start a new run with this feedback", { cause: e });
  }
  return { feedback, state, headSha: bundle.meta.headSha, baseSha: bundle.meta.baseSha };
}
