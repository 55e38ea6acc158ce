import crypto from "node:crypto";
import { and, eq, inArray, notInArray, sql } from "drizzle-orm";
import { z } from "zod";
import { inputDecision, repository, run, runEvent, type RunStatus } from "../db/schema";
import { AppError, fieldError, notFound } from "../errors";
import type { Db } from "../db/client";
import { appendEventOnce, type EventLog } from "../eventLog";
import {
  readInputRequest,
  readInputResolution,
  requestIdSchema,
  resolutionEvent,
  resolveInput,
  type InputKind,
  type InputResolution,
} from "../inputArbiter";
import type { App } from "../server/app";
import type { Principal } from "./principal";
import { assertRunVisible, type PendingInput } from "./runs";

/**
 * Answers to the agent's approval requests and questions: the one implementation behind the
 * server action and POST /api/runs/:id/inputs/:requestId, and the inbox's list of what waits.
 */

/** `{ decision, note?, remember?, editedInput? }` for an approval, `{ answer }` for a question. */
export const answerInputBody = z.strictObject({
  decision: z.enum(["approve", "deny"]).optional(),
  note: z.string().trim().max(10_000).optional(),
  remember: z.boolean().optional(),
  editedInput: z.unknown().optional(),
  answer: z.string().trim().min(1, "must not be empty").max(100_000).optional(),
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

// Runs in these states wait for nothing: an answer would reach no one.
const finishedStatuses: RunStatus[] = ["awaiting_review", "pushing", "pushed", "completed", "failed", "cancelled", "discarded"];

/** The answer must fit the request: approvals take a decision, questions an answer. */
function checkFits(kind: InputKind, body: AnswerInputBody): void {
  if (kind === "approval") {
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

/** What the run asked, from Redis (at once) or, once its keys expired, from the recorded event. */
async function findRequest(app: App, runId: string, requestId: string): Promise<{ kind: InputKind } | null> {
  const record = await readInputRequest(app.eventLog, runId, requestId);
  if (record) return record;
  const rows = await app.db
    .select({ data: runEvent.data })
    .from(runEvent)
    .where(and(eq(runEvent.runId, runId), eq(runEvent.type, "input.requested"), sql`${runEvent.data}->>'requestId' = ${requestId}`))
    .limit(1);
  return rows[0] ? { kind: (rows[0].data as { kind: InputKind }).kind } : null;
}

function alreadyAnswered(by: string, at: string | Date): AppError {
  const when = typeof at === "string" ? at : at.toISOString();
  return new AppError("conflict", `This request was already answered by ${by} at ${when}`);
}

/** The answer that already stands, wherever it is recorded, or null. */
async function existingAnswer(db: Db, eventLog: EventLog, runId: string, requestId: string): Promise<AppError | null> {
  const [row] = await db
    .select({ by: inputDecision.byEmail, at: inputDecision.createdAt })
    .from(inputDecision)
    .where(and(eq(inputDecision.runId, runId), eq(inputDecision.requestId, requestId)))
    .limit(1);
  if (row) return alreadyAnswered(row.by, row.at);
  const resolved = await readInputResolution(eventLog, runId, requestId);
  if (resolved) return alreadyAnswered(resolved.by, resolved.at);
  const [event] = await db
    .select({ data: runEvent.data, at: runEvent.at })
    .from(runEvent)
    .where(and(eq(runEvent.runId, runId), eq(runEvent.type, "input.resolved"), sql`${runEvent.data}->>'requestId' = ${requestId}`))
    .limit(1);
  return event ? alreadyAnswered((event.data as { by: string }).by, event.at) : null;
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
 * Answers one input request of one run. Only the run's owner may (others get 404, or 403 for
 * an admin who can see it); the request must exist (404) and still be open (409). The answer
 * is stored for the audit, handed to the waiting job through the same atomic Redis step its
 * timeout uses (so exactly one of them counts), and shown in the feed as `input.resolved`.
 */
export async function answerInput(
  app: App,
  principal: Principal,
  runId: string,
  requestIdParam: string,
  body: AnswerInputBody,
): Promise<InputDecisionView> {
  const owned = await assertRunVisible(app, principal, runId);
  if (owned.userId !== principal.userId) throw new AppError("forbidden", "Only the run's owner can answer its requests");
  const requestId = requestIdSchema.safeParse(requestIdParam);
  const request = requestId.success ? await findRequest(app, runId, requestId.data) : null;
  if (!requestId.success || !request) throw notFound("input request");
  checkFits(request.kind, body);

  const at = new Date();
  const resolution = resolutionOf(body, principal.email, at.toISOString());
  const row = await app.db.transaction(async (tx) => {
    // The run row's lock makes "still open?" and the insert one step for concurrent answers.
    const [current] = await tx.select({ status: run.status }).from(run).where(eq(run.id, runId)).for("update");
    const existing = await existingAnswer(tx, app.eventLog, runId, requestId.data);
    if (existing) throw existing;
    if (!current || finishedStatuses.includes(current.status)) {
      throw new AppError("conflict", `The run is ${current?.status.replace("_", " ") ?? "gone"}; nothing is waiting for this answer`);
    }
    const [inserted] = await tx
      .insert(inputDecision)
      .values({
        id: crypto.randomUUID(),
        runId,
        requestId: requestId.data,
        kind: request.kind,
        userId: principal.userId,
        byEmail: principal.email,
        decision: body.decision ?? null,
        note: body.note || null,
        editedInput: body.editedInput ?? null,
        remember: body.remember ?? false,
        answer: body.answer ?? null,
        createdAt: at,
      })
      .returning();
    // Last inside the transaction: if the timeout won meanwhile, nothing of ours is kept.
    const outcome = await resolveInput(app.eventLog, runId, requestId.data, resolution);
    if (!outcome.won) throw alreadyAnswered(outcome.resolution.by, outcome.resolution.at);
    return inserted!;
  });

  // The waiting job announces it too if we die before this line; whichever comes first counts.
  await appendEventOnce(
    app.eventLog,
    runId,
    resolutionEvent(row.requestId, resolution),
    app.eventLog.keys.inputAnnounced(runId, row.requestId),
  );
  return decisionView(row);
}

function decisionView(row: typeof inputDecision.$inferSelect): InputDecisionView {
  return {
    runId: row.runId,
    requestId: row.requestId,
    kind: row.kind,
    decision: row.decision,
    answer: row.answer,
    note: row.note,
    editedInput: row.editedInput,
    remember: row.remember,
    by: row.byEmail,
    at: row.createdAt.toISOString(),
  };
}

export type InboxItem = PendingInput & { runId: string; runTitle: string; repo: string; runStatus: RunStatus };

/** Every open request of the principal's own runs, oldest first: the inbox. */
export async function listPendingInputs(app: Pick<App, "db">, principal: Principal): Promise<InboxItem[]> {
  const rows = await app.db
    .select({
      runId: runEvent.runId,
      type: runEvent.type,
      data: runEvent.data,
      at: runEvent.at,
      runTitle: run.title,
      runStatus: run.status,
      repo: repository.name,
    })
    .from(runEvent)
    .innerJoin(run, eq(run.id, runEvent.runId))
    .innerJoin(repository, eq(repository.id, run.repositoryId))
    .where(
      and(
        eq(run.userId, principal.userId),
        notInArray(run.status, finishedStatuses),
        inArray(runEvent.type, ["input.requested", "input.resolved"]),
      ),
    )
    .orderBy(runEvent.streamMs, runEvent.streamSeq);
  const open = new Map<string, InboxItem>();
  for (const r of rows) {
    const data = r.data as PendingInput;
    const key = `${r.runId}\n${data.requestId}`;
    if (r.type === "input.requested") {
      open.set(key, { ...data, at: r.at.toISOString(), runId: r.runId, runTitle: r.runTitle, repo: r.repo, runStatus: r.runStatus });
    } else {
      open.delete(key);
    }
  }
  if (open.size === 0) return [];
  // Answered here but not yet recorded from the event stream: no longer pending.
  const decided = await app.db
    .select({ runId: inputDecision.runId, requestId: inputDecision.requestId })
    .from(inputDecision)
    .where(inArray(inputDecision.runId, [...new Set([...open.values()].map((i) => i.runId))]));
  for (const d of decided) open.delete(`${d.runId}\n${d.requestId}`);
  return [...open.values()];
}
