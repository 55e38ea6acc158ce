import { and, asc, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { inputRequest, repository, runDiff, runEvent, user } from "../db/schema";
import { AppError } from "../errors";
import { runEvent as runEventSchema, type DiffFile, type RunEvent } from "../events";
import { hasRunReport, type RunReportInput } from "../runReport";
import { formatRunLog } from "../runLogText";
import { runWorkedMs } from "../runTimes";
import { buildTranscript, type Transcript } from "../runTranscript";
import type { App } from "../server/app";
import type { Principal } from "./principal";
import { listDecisions } from "./reviewHistory";
import { secretFindingsOf } from "./review";
import { runChecksOf } from "./runChecks";
import { assertRunVisible } from "./runs";

/** The run's recorded events, oldest first (the database is the durable record). */
async function recordedEvents(app: Pick<App, "db">, runId: string): Promise<RunEvent[]> {
  const rows = await app.db
    .select()
    .from(runEvent)
    .where(eq(runEvent.runId, runId))
    .orderBy(asc(runEvent.streamMs), asc(runEvent.streamSeq));
  const events: RunEvent[] = [];
  for (const r of rows) {
    const parsed = runEventSchema.safeParse({ ...(r.data as object), type: r.type, runId, seq: r.seq, at: r.at.toISOString() });
    // The recorder validated each event before writing it; a row that no longer parses was
    // written by an older version with a different schema, and is left out of the download.
    if (parsed.success) events.push(parsed.data);
  }
  return events;
}

/** The run's conversation (prompt, assistant text, tool calls with input and output, usage). */
export async function getRunTranscript(app: Pick<App, "db">, principal: Principal, id: string): Promise<Transcript> {
  const row = await assertRunVisible(app, principal, id);
  return buildTranscript(row.id, row.prompt, await recordedEvents(app, row.id));
}

/** The run's log as text, one line per event. */
export async function getRunLogText(app: Pick<App, "db">, principal: Principal, id: string): Promise<string> {
  const row = await assertRunVisible(app, principal, id);
  return formatRunLog(await recordedEvents(app, row.id));
}

/** The last model turn the run's usage events counted (agents report it; a shell command has none). */
async function lastTurn(app: Pick<App, "db">, runId: string): Promise<number | null> {
  const rows = await app.db
    .select({ data: runEvent.data })
    .from(runEvent)
    .where(and(eq(runEvent.runId, runId), eq(runEvent.type, "usage")))
    .orderBy(desc(runEvent.streamMs), desc(runEvent.streamSeq))
    .limit(1);
  const turn = z.object({ turn: z.number().int().positive() }).safeParse(rows[0]?.data);
  return turn.success ? turn.data.turn : null;
}

/**
 * What the run's report is made of, from its records (the database is the durable record): the
 * run, its diff, checks, input requests, review decisions and secret findings. There is a
 * report once the run's work is over: terminal, or awaiting review (409 before).
 */
export async function getRunReportInput(app: Pick<App, "db" | "config">, principal: Principal, id: string, now = new Date()): Promise<RunReportInput> {
  const row = await assertRunVisible(app, principal, id);
  if (!hasRunReport(row.status)) {
    throw new AppError("conflict", `The run has no report yet: it is ${row.status.replace(/_/g, " ")}; there is one once it awaits review or has ended`);
  }
  const [[repo], [owner], [diff], checks, inputs, decisions, secretFindings, turns] = await Promise.all([
    app.db.select({ name: repository.name }).from(repository).where(eq(repository.id, row.repositoryId)).limit(1),
    app.db.select({ email: user.email }).from(user).where(eq(user.id, row.userId)).limit(1),
    app.db.select().from(runDiff).where(eq(runDiff.runId, id)).limit(1),
    runChecksOf(app.db, id),
    app.db.select().from(inputRequest).where(eq(inputRequest.runId, id)).orderBy(asc(inputRequest.requestedAt), asc(inputRequest.requestId)),
    listDecisions(app, id),
    secretFindingsOf(app.db, id, row.headSha),
    lastTurn(app, id),
  ]);
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    run: {
      id: row.id,
      title: row.title,
      prompt: row.prompt,
      command: row.command,
      repo: repo?.name ?? "a deleted repository",
      baseBranch: row.baseBranch,
      baseSha: row.baseSha,
      branch: row.branch,
      headSha: row.headSha,
      executor: row.executor,
      acpAgent: row.acpAgent,
      model: row.model,
      approvalMode: row.approvalMode,
      requestedBy: owner?.email ?? "a deleted account",
      createdAt: row.createdAt.toISOString(),
      startedAt: iso(row.startedAt),
      finishedAt: iso(row.finishedAt),
      workedMs: runWorkedMs(
        { startedAt: iso(row.startedAt), finishedAt: iso(row.finishedAt), roundStartedAt: iso(row.roundStartedAt), earlierRoundsMs: row.earlierRoundsMs, round: row.round },
        now.getTime(),
      ),
      status: row.status,
      error: row.error,
      origin: row.originRunId && row.originKind ? { kind: row.originKind, runId: row.originRunId } : null,
      scheduled: row.scheduleId !== null,
      usage: { inputTokens: row.inputTokens, outputTokens: row.outputTokens, cacheReadTokens: row.cacheReadTokens, costUsd: row.costUsd, turns },
    },
    diff: diff ? { files: diff.files as DiffFile[], additions: diff.additions, deletions: diff.deletions, truncated: diff.truncated, headSha: diff.headSha } : null,
    checks,
    inputs: inputs.map((i) => ({
      requestId: i.requestId,
      kind: i.kind,
      status: i.status,
      tool: i.tool,
      question: i.question,
      reasons: i.reasons,
      requestedAt: i.requestedAt.toISOString(),
      resolvedAt: iso(i.resolvedAt),
      decision: i.decision,
      answer: i.answer,
      note: i.note,
      by: i.byEmail,
    })),
    decisions,
    secretFindings,
    appUrl: app.config.appUrl,
    generatedAt: now.toISOString(),
  };
}

