import { and, asc, eq, inArray, ne, or } from "drizzle-orm";
import { z } from "zod";
import { canTakeInput, runStatuses, statusWords, type RunStatus } from "../contracts/runLifecycle";
import { limitUsd } from "../contracts/budgets";
import type { InputKind, InputRequestStatus } from "../contracts/inputRequests";
import { inputRequest, repository, run } from "../db/schema";
import { AppError, fieldError, notFound } from "../errors";
import { appendEventOnce, decodeEntry, type EventLog } from "../eventLog";
import type { StoredEvent } from "../events";
import { readInputRequest, requestIdSchema, resolutionEvent, resolveInput, type InputResolution } from "../inputArbiter";
import { projectEvent } from "../projection";
import type { App } from "../server/app";
import { budgetRequestRun, raiseForBudgetRequest } from "./budgetAnswers";
import type { Principal } from "./principal";
import { activeTeamAllows } from "./teams";
import { runVisibility, visibleRunsCondition } from "./runVisibility";
import { assertRunActionable, pendingInputView, type PendingInput } from "./runs";

/**
 * Answers to the agent's approval requests and questions: the one implementation behind the
 * server action and POST /api/runs/:id/inputs/:requestId, and the inbox's list of what waits.
 * What was asked and how it ended is the `input_request` record (written by the projection of
 * events); Redis only decides which answer wins and hands it to the waiting run.
 */

/** `{ decision, note?, remember?, editedInput? }` for an approval, `{ answer }` for a question. */
export const answerInputBody = z.strictObject({
  decision: z.enum(["approve", "deny"]).optional(),
  note: z.string().trim().max(10_000).optional(),
  remember: z.boolean().optional(),
  editedInput: z.unknown().optional(),
  answer: z.string().trim().min(1, "must not be empty").max(100_000).optional(),
  // A budget request's "raise the limit to this and continue" (USD per month).
  limitUsd: limitUsd.optional(),
});
export type AnswerInputBody = z.infer<typeof answerInputBody>;

export type InputDecisionView = {
  runId: string;
  requestId: string;
  kind: InputKind;
  decision: "approve" | "deny" | null;
  answer: string | null;
  note: string | null;
  editedInput: unknown;
  remember: boolean;
  by: string;
  at: string;
};

/**
 * The answer must fit the request: approvals take a decision, questions an answer, budget
 * requests "approve" with the raised limit or "deny" (stop the run).
 */
function checkFits(kind: InputKind, body: AnswerInputBody): void {
  if (kind !== "budget" && body.limitUsd !== undefined) throw fieldError("limitUsd", "is for budget requests only");
  if (kind === "budget") {
    if (!body.decision) throw fieldError("decision", 'is required to answer a budget request ("approve" with limitUsd, or "deny" to stop the run)');
    if (body.decision === "approve" && body.limitUsd === undefined) throw fieldError("limitUsd", "is required to raise the limit");
    if (body.decision === "deny" && body.limitUsd !== undefined) throw fieldError("limitUsd", "applies to a raise only");
    for (const field of ["answer", "remember", "editedInput"] as const) {
      if (body[field] !== undefined) throw fieldError(field, "is not part of a budget request's answer");
    }
  } else if (kind === "approval") {
    if (!body.decision) throw fieldError("decision", 'is required to answer an approval request ("approve" or "deny")');
    if (body.answer !== undefined) throw fieldError("answer", "is for questions; an approval request takes a decision");
    if (body.editedInput !== undefined && body.decision !== "approve") throw fieldError("editedInput", "can only be approved");
    if (body.remember && body.decision !== "approve") throw fieldError("remember", "applies to approvals only");
  } else {
    if (body.answer === undefined) throw fieldError("answer", "is required to answer a question");
    for (const field of ["decision", "note", "remember", "editedInput"] as const) {
      if (body[field] !== undefined) throw fieldError(field, "is for approval requests; a question takes an answer");
    }
  }
}

type KnownRequest = {
  kind: InputKind;
  input: unknown;
  status: InputRequestStatus;
  by: string | null;
  resolvedAt: Date | null;
};

/**
 * What the run asked: its record, or (asked a moment ago, not recorded from the event stream
 * yet) the request's arbitration record in Redis, which is still open as far as we know.
 */
async function findRequest(app: App, runId: string, requestId: string): Promise<KnownRequest | null> {
  const [row] = await app.db
    .select({ kind: inputRequest.kind, input: inputRequest.input, status: inputRequest.status, by: inputRequest.byEmail, resolvedAt: inputRequest.resolvedAt })
    .from(inputRequest)
    .where(and(eq(inputRequest.runId, runId), eq(inputRequest.requestId, requestId)))
    .limit(1);
  if (row) return row;
  const record = await readInputRequest(app.eventLog, runId, requestId);
  return record ? { kind: record.kind, input: null, status: "pending", by: null, resolvedAt: null } : null;
}

function alreadyAnswered(by: string, at: string | Date): AppError {
  const when = typeof at === "string" ? at : at.toISOString();
  return new AppError("conflict", `This request was already answered by ${by} at ${when}`);
}

/** Why a closed request takes no answer, from its record. */
function closedRequest(request: KnownRequest, runStatus: RunStatus): AppError {
  const at = request.resolvedAt ?? new Date();
  switch (request.status) {
    case "answered":
      return alreadyAnswered(request.by ?? "someone", at);
    case "timed_out":
      return alreadyAnswered("timeout", at);
    default:
      return new AppError("conflict", `This request was cancelled at ${at.toISOString()}: the run is ${statusWords(runStatus)}`);
  }
}

function resolutionOf(body: AnswerInputBody, by: string, at: string): InputResolution {
  if (body.answer !== undefined) return { type: "answer", answer: body.answer, by, at };
  return {
    type: "decision",
    decision: body.decision!,
    ...(body.note ? { note: body.note } : {}),
    ...(body.editedInput !== undefined ? { editedInput: body.editedInput } : {}),
    ...(body.remember ? { remember: true } : {}),
    by,
    at,
  };
}

/**
 * Answers one input request of one run. Its owner may, and a team admin (another team's run is
 * 404, a member's answer to someone else's run or a viewer's 403); the request must exist (404) and still be open (409, from its
 * record, or from the arbitration when a concurrent answer or the timeout won a moment ago).
 * The answer is handed to the waiting job through the same atomic Redis step its timeout uses
 * (so exactly one of them counts), announced as `input.resolved` and projected at once, so
 * the record, the inbox and the run's status read it as soon as this returns.
 */
export async function answerInput(
  app: App,
  principal: Principal,
  runId: string,
  requestIdParam: string,
  body: AnswerInputBody,
): Promise<InputDecisionView> {
  const requestId = requestIdSchema.safeParse(requestIdParam);
  const found = requestId.success ? await findRequest(app, runId, requestId.data) : null;
  // A budget request is the team admins' to answer (lib/services/budgetAnswers.ts), any other the run's owner's.
  const owned = found?.kind === "budget" ? await budgetRequestRun(app, principal, runId) : await assertRunActionable(app, principal, runId);
  const request = found;
  if (!requestId.success || !request) throw notFound("input request");
  checkFits(request.kind, body);
  if (request.status !== "pending") throw closedRequest(request, owned.status);
  if (!canTakeInput(owned.status)) {
    throw new AppError("conflict", `The run is ${statusWords(owned.status)}; nothing is waiting for this answer`);
  }

  // The raise is written before the run is woken, so the run reads it when it checks again.
  if (request.kind === "budget" && body.decision === "approve") await raiseForBudgetRequest(app, principal, request.input, body.limitUsd!);

  const at = new Date();
  const resolution = resolutionOf(body, principal.email, at.toISOString());
  const outcome = await resolveInput(app.eventLog, runId, requestId.data, resolution);
  if (!outcome.won) throw alreadyAnswered(outcome.resolution.by, outcome.resolution.at);

  // The waiting job announces it too if we die before this line; whichever comes first counts.
  const announced = await appendEventOnce(
    app.eventLog,
    runId,
    resolutionEvent(requestId.data, resolution),
    app.eventLog.keys.inputAnnounced(runId, requestId.data),
  );
  // Recorded now rather than when the recorder gets to it (it finds it recorded then), also
  // when the woken job announced it first.
  const event = announced ?? (await findAnnouncement(app.eventLog, runId, requestId.data));
  if (event) await projectEvent(app.db, event.id, event.event);
  return {
    runId,
    requestId: requestId.data,
    kind: request.kind,
    decision: body.decision ?? null,
    answer: body.answer ?? null,
    note: body.note || null,
    editedInput: body.editedInput ?? null,
    remember: body.remember ?? false,
    by: principal.email,
    at: at.toISOString(),
  };
}

// The announcement is among the run's latest events: the job woke and appended it just now.
const ANNOUNCEMENT_SEARCH_DEPTH = 200;

/** The request's `input.resolved` in the run's stream, as the job announced it. */
async function findAnnouncement({ redis, keys }: EventLog, runId: string, requestId: string): Promise<StoredEvent | null> {
  const entries = await redis.xrevrange(keys.runEvents(runId), "+", "-", "COUNT", ANNOUNCEMENT_SEARCH_DEPTH);
  for (const [id, fields] of entries) {
    const event = decodeEntry(runId, fields);
    if (event?.type === "input.resolved" && event.requestId === requestId) return { id, event };
  }
  return null;
}

export type InboxItem = PendingInput & { runId: string; runTitle: string; repo: string; runStatus: RunStatus };

const waitingStatuses = runStatuses.filter(canTakeInput);

/**
 * Whose requests the principal answers: those of their own runs, except budget requests, which
 * wait for their team's admins and owners (lib/services/budgetAnswers.ts) in every run of the team.
 */
function answeredBy(principal: Principal) {
  const own = and(eq(run.userId, principal.userId), visibleRunsCondition(runVisibility(principal)), ne(inputRequest.kind, "budget"));
  if (!principal.team || !activeTeamAllows(principal, "manage")) return own;
  return or(own, and(eq(run.teamId, principal.team.id), eq(inputRequest.kind, "budget")));
}

/** Every open request the principal answers (see answeredBy), oldest first: the inbox. */
export async function listPendingInputs(app: Pick<App, "db">, principal: Principal): Promise<InboxItem[]> {
  const rows = await app.db
    .select({ request: inputRequest, runTitle: run.title, runStatus: run.status, repo: repository.name })
    .from(inputRequest)
    .innerJoin(run, eq(run.id, inputRequest.runId))
    .innerJoin(repository, eq(repository.id, run.repositoryId))
    .where(and(answeredBy(principal), eq(inputRequest.status, "pending"), inArray(run.status, waitingStatuses)))
    .orderBy(asc(inputRequest.requestedAt), asc(inputRequest.requestId));
  return rows.map((r) => ({ ...pendingInputView(r.request), runId: r.request.runId, runTitle: r.runTitle, repo: r.repo, runStatus: r.runStatus }));
}
