import crypto from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { InputKind } from "../contracts/inputRequests";
import { canCancel, statusWords } from "../contracts/runLifecycle";
import { inputRequest, repository, run, runDiff } from "../db/schema";
import { AppError, fieldError, notFound } from "../errors";
import { appendEvent, requestCancel } from "../eventLog";
import type { DiffFile } from "../events";
import { slugName } from "../contracts/executorSpecs";
import { sandboxOffReason } from "../sandboxStatus";
import { liveWorkers } from "../workerDirectory";
import { branchName, runBranchName } from "../gitNames";
import { DEFAULT_INPUT_TIMEOUT_SEC, MAX_INPUT_TIMEOUT_SEC, MIN_INPUT_TIMEOUT_SEC } from "../inputTimeout";
import { approvalModes, executors, priorities, runJobOptions } from "../queue";
import { forgetRunState } from "../runRetention";
import type { App } from "../server/app";
import { actorOf, recordAudit } from "./audit";
import { isAdmin, type Principal } from "./principal";
import { assertMayActOnRun, assertSeesRun } from "./runVisibility";
import { repoToRunOn } from "./repos";
import { assertExecutorOffered } from "./executorChoice";
import { IDEMPOTENCY_HEADER, keyReusedError, requestHash } from "./idempotency";
import { runJobPayloadFor, runJobSpecsFor } from "./runPayload";
import type { RunOriginKind } from "../contracts/runOrigin";
import { runLineage, type RunLineage } from "./runLineage";
import { dependsOnInput } from "../contracts/runDependencies";
import { runDependency } from "../db/schema";
import { checkDependencies, pendingOf, settleWaitingRun } from "./runDependencies";

// The executors whose runs have a model, a turn limit and a budget (jobs/agent/limits.ts; an
// ACP agent's through its model setting, its prompt turns and the cost it reports,
// jobs/executors/acp/limits.ts). A shell command has none of them.
const limitedExecutors: ReadonlySet<string> = new Set(["agent", "claude-code", "acp"]);

export const createRunInput = z
  .object({
    repo: z.string().trim().min(1, "choose a repository"),
    baseBranch: branchName.optional(),
    prompt: z.string().trim().max(100_000).default(""),
    executor: z.enum(executors).optional(),
    // For executor "acp": the registered ACP agent to start (lib/services/acpAgents.ts).
    acpAgent: slugName.optional(),
    command: z.string().trim().max(20_000).optional(),
    approvalMode: z.enum(approvalModes).default("risky"),
    model: z.string().trim().min(1).max(200).optional(),
    maxTurns: z.coerce.number().int().min(1).max(1000).default(50),
    // The cost (USD) at which an agent run stops to ask whether to go on; left out: the job
    // process's AGENT_BUDGET_USD. Not for shell commands, which count no cost.
    budgetUsd: z.coerce.number().positive("must be more than 0").max(100_000).optional(),
    timeoutSec: z.coerce.number().int().min(10).default(1800),
    inputTimeoutSec: z.coerce
      .number()
      .int()
      .min(MIN_INPUT_TIMEOUT_SEC)
      .max(MAX_INPUT_TIMEOUT_SEC)
      .default(DEFAULT_INPUT_TIMEOUT_SEC),
    priority: z.enum(priorities).default("normal"),
    // Runs that must finish their work before this one starts (lib/contracts/runDependencies.ts).
    // (Forms send the ids as one comma-separated field.)
    dependsOn: z.preprocess((v) => (typeof v === "string" ? v.split(",").map((id) => id.trim()).filter(Boolean) : v), dependsOnInput).optional(),
  })
  .transform((v) => ({ ...v, executor: v.executor ?? (v.command ? "cli" : "agent") }))
  .superRefine((v, ctx) => {
    if (v.executor === "cli" && !v.command) {
      ctx.addIssue({ code: "custom", path: ["command"], message: "is required for the cli executor" });
    }
    if (v.executor !== "cli" && !v.prompt) {
      ctx.addIssue({ code: "custom", path: ["prompt"], message: `is required for the ${v.executor} executor` });
    }
    if (v.executor === "acp" && !v.acpAgent) {
      ctx.addIssue({ code: "custom", path: ["acpAgent"], message: "is required for the acp executor: the name of a registered ACP agent" });
    }
    for (const field of ["budgetUsd", "model"] as const) {
      if (v[field] !== undefined && !limitedExecutors.has(v.executor)) {
        ctx.addIssue({ code: "custom", path: [field], message: `applies only to the agent, claude-code and acp executors, not ${v.executor}` });
      }
    }
    if (v.executor !== "acp" && v.acpAgent !== undefined) {
      ctx.addIssue({ code: "custom", path: ["acpAgent"], message: `applies only to the acp executor, not ${v.executor}` });
    }
  });
export type CreateRunInput = z.infer<typeof createRunInput>;

/**
 * A run configuration kept to start runs later (a template, a schedule): the run fields minus
 * `dependsOn`. The runs it names would be long over by a later start, so every later run would
 * wait on the same old runs; a person chooses them when starting one.
 */
export const savedRunInput = createRunInput.and(
  z.object({
    // A form's empty field is "none chosen".
    dependsOn: z.preprocess(
      (v) => (v === "" || (Array.isArray(v) && v.length === 0) ? undefined : v),
      z.undefined({ error: "cannot be saved: choose the runs to wait for when you start a run" }),
    ),
  }),
);

export type PendingInput = {
  requestId: string;
  kind: InputKind;
  tool?: string;
  input?: unknown;
  question?: string;
  reasons?: string[];
  /** When it was first asked, and when it counts as denied if nobody answers. */
  at: string;
  deadline: string | null;
};

/** An open request as the API shows it (GET /api/inputs, GET /api/runs/:id), from its record. */
export function pendingInputView(row: typeof inputRequest.$inferSelect): PendingInput {
  return {
    requestId: row.requestId,
    kind: row.kind,
    ...(row.tool !== null ? { tool: row.tool } : {}),
    ...(row.input !== null ? { input: row.input } : {}),
    ...(row.question !== null ? { question: row.question } : {}),
    ...(row.reasons.length > 0 ? { reasons: row.reasons } : {}),
    at: row.requestedAt.toISOString(),
    deadline: row.deadline?.toISOString() ?? null,
  };
}

type RunRow = typeof run.$inferSelect;

export function runView(row: RunRow, repoName: string) {
  return {
    id: row.id,
    userId: row.userId,
    title: row.title,
    status: row.status,
    repo: repoName,
    baseBranch: row.baseBranch,
    branch: row.branch,
    baseSha: row.baseSha,
    headSha: row.headSha,
    executor: row.executor,
    acpAgent: row.acpAgent,
    command: row.command,
    prompt: row.prompt,
    approvalMode: row.approvalMode,
    model: row.model,
    maxTurns: row.maxTurns,
    budgetUsd: row.budgetUsd,
    timeoutSec: row.timeoutSec,
    inputTimeoutSec: row.inputTimeoutSec,
    priority: row.priority,
    // Made from another run (retry, re-run, follow-up) or by a schedule; getRun adds the
    // titles and the runs made from this one (lineage).
    origin: row.originRunId && row.originKind ? { kind: row.originKind, runId: row.originRunId } : null,
    scheduleId: row.scheduleId,
    templateId: row.templateId,
    error: row.error,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    cacheReadTokens: row.cacheReadTokens,
    costUsd: row.costUsd,
    attempt: row.attempt,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    roundStartedAt: row.roundStartedAt?.toISOString() ?? null,
    earlierRoundsMs: row.earlierRoundsMs,
    round: row.round,
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type RunView = ReturnType<typeof runView> & {
  /** Only on a single run (getRun): the schedule's name and the runs related to this one. */
  lineage?: RunLineage;
};

/** The first line of the task; for a shell command, of its notes when given (they say what it is for), else of the command. */
function titleFor(input: CreateRunInput): string {
  const source = input.executor === "cli" ? input.prompt || input.command : input.prompt;
  const first = (source ?? "").split("\n").find((l) => l.trim()) ?? "run";
  return first.trim().slice(0, 120);
}

/**
 * A run id derived from a key (a UUID in version-5 form over SHA-256), for callers that may
 * retry the same creation, such as a schedule's tick: the same key gives the same run.
 */
export function runIdFor(key: string): string {
  const b = crypto.createHash("sha256").update(key).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Creates a run, records `run.queued` and hands the job to the queue, all or nothing. With
 * `runId`, a second call for the same id returns the run the first one made (a row only stays
 * when its job was queued), so a retried caller never makes two runs.
 */
export async function createRun(
  app: App,
  principal: Principal,
  input: CreateRunInput,
  options: { runId?: string; scheduleId?: string; templateId?: string } = {},
): Promise<RunView> {
  return (await submitRun(app, principal, input, options)).run;
}

/**
 * createRun, also keyed by the submit's `Idempotency-Key` (lib/services/idempotency.ts): the
 * same key and request give back the first run with `replayed: true`; the same key with another
 * request is a 422 naming the key. Two submits racing with one key make one run: the unique
 * index (user, key) lets one insert through and the other reads the winner's row.
 */
export async function submitRun(
  app: App,
  principal: Principal,
  input: CreateRunInput,
  options: {
    runId?: string;
    idempotencyKey?: string;
    keyField?: string;
    /** The run this one is made from (a retry, re-run or follow-up of it). */
    origin?: { kind: RunOriginKind; runId: string };
    /** The schedule whose tick makes it. */
    scheduleId?: string;
    /** The run template it is started from (lib/services/templates.ts). */
    templateId?: string;
  } = {},
): Promise<{ run: RunView; replayed: boolean }> {
  const { idempotencyKey } = options;
  const hash = idempotencyKey ? requestHash(input) : null;
  const replay = async () => {
    const earlier = idempotencyKey ? await runByIdempotencyKey(app, principal.userId, idempotencyKey) : null;
    if (!earlier) return null;
    if (earlier.run.idempotencyHash !== hash) throw keyReusedError(idempotencyKey!, options.keyField);
    return { run: runView(earlier.run, earlier.repoName), replayed: true };
  };
  const before = await replay();
  if (before) return before;
  if (options.runId) {
    const existing = await app.db
      .select({ run, repoName: repository.name })
      .from(run)
      .innerJoin(repository, eq(repository.id, run.repositoryId))
      .where(eq(run.id, options.runId))
      .limit(1);
    if (existing[0]) return { run: runView(existing[0].run, existing[0].repoName), replayed: true };
  }
  const workers = await liveWorkers(app.redis, app.config.redisPrefix);
  // Without the sandbox a run's commands can read the machine: only admins may start one.
  const unsandboxed = sandboxOffReason(app.config, workers);
  if (unsandboxed && !isAdmin(principal)) {
    throw new AppError("forbidden", `only admins may start runs while ${unsandboxed}`);
  }
  await assertExecutorOffered(app, input, { workers });
  if (input.timeoutSec > app.config.runTimeoutMaxSec) {
    throw fieldError("timeoutSec", `must be at most ${app.config.runTimeoutMaxSec} seconds`);
  }
  const repo = await repoToRunOn(app, principal, input.repo, "createRun");

  const id = options.runId ?? crypto.randomUUID();
  const title = titleFor(input);
  const baseBranch = input.baseBranch ?? repo.defaultBranch;
  const row = {
    id,
    userId: principal.userId,
    repositoryId: repo.id,
    teamId: repo.teamId,
    // Set here rather than by the database: the job's spending month is this one.
    createdAt: new Date(),
    title,
    prompt: input.prompt,
    command: input.executor === "cli" ? (input.command ?? null) : null,
    executor: input.executor,
    acpAgent: input.executor === "acp" ? (input.acpAgent ?? null) : null,
    approvalMode: input.approvalMode,
    // An ACP agent without a model named runs on its own (null); ours default to AGENT_MODEL.
    model: !limitedExecutors.has(input.executor) ? null : (input.model ?? (input.executor === "acp" ? null : app.config.agentModel)),
    maxTurns: input.maxTurns,
    budgetUsd: limitedExecutors.has(input.executor) ? (input.budgetUsd ?? null) : null,
    timeoutSec: input.timeoutSec,
    inputTimeoutSec: input.inputTimeoutSec,
    priority: input.priority,
    originRunId: options.origin?.runId ?? null,
    originKind: options.origin?.kind ?? null,
    scheduleId: options.scheduleId ?? null,
    templateId: options.templateId ?? null,
    baseBranch,
    branch: runBranchName(title, id),
    idempotencyKey: idempotencyKey ?? null,
    idempotencyHash: hash,
  };
  // A stacked run also waits for its parent while the parent's work is not done.
  const stackParent = options.origin?.kind === "stack" ? [options.origin.runId] : [];
  const dependencies = await checkDependencies(app, [...new Set([...(input.dependsOn ?? []), ...stackParent])], repo.teamId);
  const waitFor = pendingOf(dependencies);
  const recorded = [...new Set([...(input.dependsOn ?? []), ...waitFor])];
  // A waiting run's job is built when it is released (a stacked one starts at its parent's head then).
  const payload = waitFor.length === 0 ? runJobPayloadFor(row, repo, await runJobSpecsFor(app, row, repo.id)) : null;

  // The row is committed before anything reaches Redis: a recorder or job process must never
  // see an event or a job for a run the database does not have yet.
  const [created] = await app.db
    .insert(run)
    .values(row)
    .onConflictDoNothing({ target: [run.userId, run.idempotencyKey] })
    .returning();
  if (!created) {
    // Another submit with this key got its row in first: that run is the answer.
    const raced = await replay();
    if (raced) return raced;
    throw new AppError("conflict", `${options.keyField ?? IDEMPOTENCY_HEADER}: a submit with this key is still being created; try again`);
  }
  try {
    if (recorded.length > 0) await app.db.insert(runDependency).values(recorded.map((dependsOnRunId) => ({ runId: id, dependsOnRunId })));
    // run.queued goes first so it is always the run's first event, whatever the worker does.
    await appendEvent(app.eventLog, id, { type: "run.queued", executor: row.executor, repo: repo.name });
    if (payload) await app.queue.add("run", payload, runJobOptions(id, input.priority));
    else await appendEvent(app.eventLog, id, { type: "run.waiting", on: waitFor });
  } catch (err) {
    // No run without a job: take the row back and let the caller answer 503.
    await app.db.delete(run).where(eq(run.id, id));
    throw err;
  }
  // A dependency may have finished between the check and run.waiting: its settle then found
  // nothing waiting, so look once now (the reconciler would, later).
  if (!payload) await settleWaitingRun(app, id).catch((e: unknown) => console.error(`[dependencies] settling new run ${id}:`, (e as Error).message));
  return { run: runView(created, repo.name), replayed: false };
}

async function runByIdempotencyKey(app: Pick<App, "db">, userId: string, key: string) {
  const [found] = await app.db
    .select({ run, repoName: repository.name })
    .from(run)
    .innerJoin(repository, eq(repository.id, run.repositoryId))
    .where(and(eq(run.userId, userId), eq(run.idempotencyKey, key)))
    .limit(1);
  return found ?? null;
}

/** The run if the principal's team is its team (lib/services/runVisibility.ts); 404 otherwise. */
async function visibleRun(app: Pick<App, "db">, principal: Principal, id: string) {
  if (!z.uuid().safeParse(id).success) throw notFound("Run");
  const rows = await app.db
    .select({ run, repoName: repository.name })
    .from(run)
    .innerJoin(repository, eq(repository.id, run.repositoryId))
    .where(eq(run.id, id))
    .limit(1);
  const found = rows[0];
  // Another team's run is "not found", never "forbidden": its existence is not disclosed.
  if (!found) throw notFound("Run");
  assertSeesRun(principal, found.run);
  return found;
}

/** The run's input requests nobody answered yet, from their records. */
async function pendingInputs(app: Pick<App, "db">, runId: string): Promise<PendingInput[]> {
  const rows = await app.db
    .select()
    .from(inputRequest)
    .where(and(eq(inputRequest.runId, runId), eq(inputRequest.status, "pending")))
    .orderBy(inputRequest.requestedAt, inputRequest.requestId);
  return rows.map(pendingInputView);
}

export async function getRun(app: Pick<App, "db">, principal: Principal, id: string) {
  const { run: row, repoName } = await visibleRun(app, principal, id);
  const lineage = await runLineage(app, principal, row);
  return { ...runView(row, repoName), lineage, pendingInputs: await pendingInputs(app, id) };
}

/** Checks that the principal may see the run; throws 404 otherwise. */
export async function assertRunVisible(app: Pick<App, "db">, principal: Principal, id: string) {
  const { run: row } = await visibleRun(app, principal, id);
  return row;
}

/** Checks that the principal may act on the run (its owner, or a team admin): 404, then 403. */
export async function assertRunActionable(app: Pick<App, "db">, principal: Principal, id: string) {
  const row = await assertRunVisible(app, principal, id);
  assertMayActOnRun(principal, row);
  return row;
}

/**
 * Cancels a queued or running run. A queued job is taken off the queue at once; a running one
 * is stopped by its job process, which records `run.cancelled`.
 */
export async function cancelRun(app: App, principal: Principal, id: string) {
  const { run: row, repoName } = await visibleRun(app, principal, id);
  assertMayActOnRun(principal, row);
  if (!canCancel(row.status)) {
    throw new AppError("conflict", `The run is ${statusWords(row.status)}; there is nothing to cancel`);
  }
  await requestCancel(app.eventLog, id, principal.email);
  // 0 means a job process holds the job: it sees the cancel flag and stops the run itself.
  const removed = await app.queue.remove(id);
  if (removed !== 1) {
    // A run waiting for others has no job: nothing else would end it. Settling reads the cancel
    // flag set above and appends run.cancelled unless the run is not waiting (released a moment
    // ago: its job sees the flag).
    await settleWaitingRun(app, id);
  } else if (removed === 1) {
    await appendEvent(app.eventLog, id, {
      type: "run.cancelled",
      by: principal.email,
      // Not queued: its job was asleep (waiting for an answer, or for a retry), so it had started.
      reason: row.status === "queued" ? "cancelled before it started" : `cancelled by ${principal.email}`,
    });
    // What an earlier attempt left (a checkpoint, the branch's bundle) has no run to serve any more.
    await forgetRunState(app.eventLog, id);
  }
  const updated = await app.db.transaction(async (tx) => {
    // Only the first cancel is a decision (a second click changes nothing): one audit row.
    const [first] = await tx
      .update(run)
      .set({ cancelRequestedAt: sql`now()`, updatedAt: new Date() })
      .where(and(eq(run.id, id), isNull(run.cancelRequestedAt)))
      .returning();
    if (!first) {
      const [again] = await tx.update(run).set({ updatedAt: new Date() }).where(eq(run.id, id)).returning();
      return again;
    }
    await recordAudit(tx, {
      teamId: first.teamId,
      actor: actorOf(principal),
      action: "run.cancel",
      subject: { type: "run", id, label: first.title },
      details: { status: row.status },
    });
    return first;
  });
  return runView(updated ?? row, repoName);
}

export type RunDiffView = {
  runId: string;
  baseSha: string;
  headSha: string;
  files: DiffFile[];
  additions: number;
  deletions: number;
  truncated: boolean;
  patch: string;
};

export async function getRunDiff(app: Pick<App, "db">, principal: Principal, id: string): Promise<RunDiffView> {
  const { run: row } = await visibleRun(app, principal, id);
  const rows = await app.db.select().from(runDiff).where(eq(runDiff.runId, id)).limit(1);
  const diff = rows[0];
  if (!diff) {
    throw new AppError("conflict", `The run has no diff yet (status: ${statusWords(row.status)})`);
  }
  return {
    runId: id,
    baseSha: diff.baseSha,
    headSha: diff.headSha,
    files: diff.files as DiffFile[],
    additions: diff.additions,
    deletions: diff.deletions,
    truncated: diff.truncated,
    patch: diff.patch,
  };
}
