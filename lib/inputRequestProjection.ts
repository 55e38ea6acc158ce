import { and, count, eq, sql } from "drizzle-orm";
import type { Db } from "./db/client";
import { budgetRequestInput } from "./contracts/budgets";
import { inputRequest, run, user } from "./db/schema";
import { recordAudit } from "./services/audit";
import { statusOfResolution, type InputKind } from "./contracts/inputRequests";
import type { RunEventOf } from "./events";

/**
 * The `input_request` records, as the projection of events writes them (the only writer):
 * `input.requested` opens one, `input.resolved` closes it (answered, or timed out), and a run
 * that stops waiting (ends, fails, is cancelled, goes to review) has its open ones cancelled.
 * Records are keyed by (run, request), so these steps do not depend on the order in which
 * recorders write them: the first resolution stands, and a request arriving after its answer
 * (the web projects an answer at once, the recorder the request later) keeps the answer.
 */

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
type RunForRequests = { inputTimeoutSec: number; waiting: boolean };

export async function projectInputRequested(tx: Tx, event: RunEventOf<"input.requested">, run: RunForRequests): Promise<void> {
  const requestedAt = new Date(event.at);
  const request = {
    kind: event.kind,
    tool: event.tool ?? null,
    input: event.input ?? null,
    question: event.question ?? null,
    reasons: event.reasons ?? [],
  };
  await tx
    .insert(inputRequest)
    .values({
      runId: event.runId,
      requestId: event.requestId,
      ...request,
      // A request of a run that waits for nothing any more (a stopped attempt's late event)
      // is recorded as closed: nobody can answer it.
      status: run.waiting ? "pending" : "cancelled",
      resolvedAt: run.waiting ? null : requestedAt,
      requestedAt,
      deadline: new Date(requestedAt.getTime() + run.inputTimeoutSec * 1000),
    })
    .onConflictDoUpdate({
      target: [inputRequest.runId, inputRequest.requestId],
      // Asked again (a repeated announcement) or answered before this was recorded: the
      // question's details fill in, the first time asked and any resolution stay.
      set: {
        ...request,
        requestedAt: sql`least(${inputRequest.requestedAt}, excluded.requested_at)`,
        deadline: sql`least(${inputRequest.deadline}, excluded.deadline)`,
      },
    });
}

export async function projectInputResolved(tx: Tx, event: RunEventOf<"input.resolved">): Promise<void> {
  const resolvedAt = new Date(event.at);
  const status = statusOfResolution(event.by);
  const byUserId = status === "answered" ? await userIdByEmail(tx, event.by) : null;
  const resolution = {
    status,
    resolvedAt,
    decision: event.decision ?? null,
    answer: event.answer ?? null,
    note: event.note ?? null,
    editedInput: event.editedInput ?? null,
    remember: event.remember ?? false,
    byUserId,
    byEmail: status === "answered" ? event.by : null,
  };
  const [resolved] = await tx
    .insert(inputRequest)
    .values({
      runId: event.runId,
      requestId: event.requestId,
      // Only until input.requested is recorded: an answer text is a question's, a decision an approval's.
      kind: (event.answer !== undefined ? "question" : "approval") satisfies InputKind,
      requestedAt: resolvedAt,
      ...resolution,
    })
    .onConflictDoUpdate({
      target: [inputRequest.runId, inputRequest.requestId],
      set: resolution,
      // The first resolution stands (the arbitration in Redis let only one win anyway).
      setWhere: eq(inputRequest.status, "pending"),
    })
    .returning();
  // A person's answer is a decision for the audit log, written with the record it decides (a
  // repeated projection of the same event updates nothing, so it writes no second row).
  if (resolved && status === "answered") await auditAnswer(tx, resolved);
}

async function auditAnswer(tx: Tx, request: typeof inputRequest.$inferSelect): Promise<void> {
  const [owner] = await tx.select({ teamId: run.teamId, title: run.title }).from(run).where(eq(run.id, request.runId));
  if (!owner) return;
  const common = {
    teamId: owner.teamId,
    actor: { userId: request.byUserId, email: request.byEmail ?? "" },
    subject: { type: "run" as const, id: request.runId, label: owner.title },
  };
  if (request.kind === "budget") {
    // A raise is audited where the limit is written (lib/services/budgets.ts), just before this.
    if (request.decision === "approve") return;
    const asked = budgetRequestInput.safeParse(request.input);
    await recordAudit(tx, {
      ...common,
      action: "budget.stop",
      details: {
        requestId: request.requestId,
        limit: asked.success ? asked.data.scope : "team",
        limitUsd: asked.success ? asked.data.limitUsd : null,
        spendUsd: asked.success ? asked.data.spendUsd : null,
      },
    });
    return;
  }
  if (request.answer !== null) {
    await recordAudit(tx, {
      ...common,
      action: "question.answer",
      details: { requestId: request.requestId, question: request.question, answer: request.answer },
    });
    return;
  }
  await recordAudit(tx, {
    ...common,
    action: request.decision === "approve" ? "approval.approve" : "approval.deny",
    details: {
      requestId: request.requestId,
      tool: request.tool,
      note: request.note,
      remember: request.remember,
      edited: request.editedInput !== null && request.editedInput !== undefined,
    },
  });
}

/** Closes the run's open requests: the run no longer waits for anyone. */
export async function cancelOpenRequests(tx: Tx, runId: string, at: Date): Promise<void> {
  await tx
    .update(inputRequest)
    .set({ status: "cancelled", resolvedAt: at })
    .where(and(eq(inputRequest.runId, runId), eq(inputRequest.status, "pending")));
}

export async function openRequestCount(tx: Tx, runId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(inputRequest)
    .where(and(eq(inputRequest.runId, runId), eq(inputRequest.status, "pending")));
  return row?.n ?? 0;
}

// The event names the person by email (as the feed shows it); the record keeps the account too.
async function userIdByEmail(tx: Tx, email: string): Promise<string | null> {
  const [row] = await tx.select({ id: user.id }).from(user).where(eq(user.email, email)).limit(1);
  return row?.id ?? null;
}
