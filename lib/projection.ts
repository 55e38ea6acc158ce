import { eq, sql } from "drizzle-orm";
import type { Db } from "./db/client";
import { run, runDiff, runEvent, type RunStatus } from "./db/schema";
import { compareStreamIds, parseStreamId } from "./eventLog";
import type { RunEvent } from "./events";

type RunUpdate = Partial<typeof run.$inferInsert>;

/** What an event changes on its run's row (status, branch, usage, timings). */
function runChanges(event: RunEvent): RunUpdate {
  const at = new Date(event.at);
  switch (event.type) {
    case "run.started":
      return { status: "running", attempt: event.attempt, startedAt: at, error: null };
    case "workspace.ready":
      return { branch: event.branch, baseSha: event.baseSha };
    case "input.requested":
      return { status: "waiting_input" };
    case "input.resolved":
      return { status: "running" };
    case "usage":
      return {
        inputTokens: event.inputTokens,
        outputTokens: event.outputTokens,
        cacheReadTokens: event.cacheReadTokens,
        costUsd: event.costUsd,
      };
    case "diff.ready":
      return { headSha: event.headSha };
    case "run.awaiting_review":
      return { status: "awaiting_review", headSha: event.headSha, finishedAt: at };
    case "push.started":
      return { status: "pushing", error: null };
    case "push.finished":
      return event.ok ? { status: "pushed" } : { status: "awaiting_review", error: event.error ?? "push failed" };
    case "run.completed":
      return { status: "completed", finishedAt: at };
    case "run.failed":
      return { status: "failed", error: event.error, finishedAt: at };
    case "run.cancelled":
      return { status: "cancelled", finishedAt: at };
    default:
      return {};
  }
}

// Statuses a stray late event (a retried job's start, say) must not walk back from.
const settled: ReadonlySet<RunStatus> = new Set(["cancelled", "discarded", "pushed", "completed"]);

/**
 * Writes one event into the database: the event row (idempotent by its stream id), its diff,
 * and its effect on the run row. Returns false when the event was already recorded.
 */
export async function projectEvent(db: Db, streamId: string, event: RunEvent): Promise<boolean> {
  const { ms, seq } = parseStreamId(streamId);
  return db.transaction(async (tx) => {
    const { runId: _r, seq: _s, at: _a, type, ...rest } = event;
    const { patch, ...stored } = rest as typeof rest & { patch?: string };
    const inserted = await tx
      .insert(runEvent)
      .values({ runId: event.runId, streamMs: ms, streamSeq: seq, seq: event.seq, type, at: new Date(event.at), data: stored })
      .onConflictDoNothing()
      .returning({ seq: runEvent.seq });
    if (inserted.length === 0) return false;

    if (event.type === "diff.ready") {
      const values = {
        runId: event.runId,
        baseSha: event.baseSha,
        headSha: event.headSha,
        patch: patch ?? "",
        files: event.files,
        additions: event.additions,
        deletions: event.deletions,
        truncated: event.truncated,
      };
      await tx.insert(runDiff).values(values).onConflictDoUpdate({ target: runDiff.runId, set: values });
    }

    const changes = runChanges(event);
    if (Object.keys(changes).length === 0) return true;
    const [current] = await tx
      .select({ status: run.status, lastEventId: run.lastEventId })
      .from(run)
      .where(eq(run.id, event.runId))
      .for("update");
    if (!current) return true;
    // Several recorders may interleave: an older event never overwrites a newer one's effect.
    if (current.lastEventId && compareStreamIds(streamId, current.lastEventId) < 0) return true;
    if (settled.has(current.status) && changes.status && event.type !== "push.started" && event.type !== "push.finished") {
      delete changes.status;
    }
    await tx
      .update(run)
      .set({ ...changes, lastEventId: streamId, updatedAt: sql`now()` })
      .where(eq(run.id, event.runId));
    return true;
  });
}
