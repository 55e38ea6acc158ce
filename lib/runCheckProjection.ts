import { sql } from "drizzle-orm";
import type { Tx } from "./db/client";
import { runCheck } from "./db/schema";
import type { RunEventOf } from "./events";

/**
 * The `run_check` rows, written here only (from the projection's transaction). Recorders may
 * project a run's events out of order, so either event may come first: `check.started` fills
 * what only it knows (command, source, start), `check.finished` the result; neither undoes
 * the other.
 */
export async function projectCheckStarted(tx: Tx, event: RunEventOf<"check.started">): Promise<void> {
  const at = new Date(event.at);
  await tx
    .insert(runCheck)
    .values({
      runId: event.runId,
      checkId: event.checkId,
      phase: event.phase,
      name: event.name,
      command: event.command,
      source: event.source,
      status: "running",
      headSha: event.headSha ?? null,
      seq: event.seq,
      startedAt: at,
    })
    .onConflictDoUpdate({
      target: [runCheck.runId, runCheck.checkId],
      set: { command: event.command, source: event.source, seq: event.seq, startedAt: at },
    });
}

export async function projectCheckFinished(tx: Tx, event: RunEventOf<"check.finished">): Promise<void> {
  const at = new Date(event.at);
  const result = {
    status: event.ok ? ("passed" as const) : ("failed" as const),
    exitCode: event.exitCode,
    timedOut: event.timedOut,
    durationMs: Math.round(event.durationMs),
    output: event.output,
    truncated: event.truncated,
    error: event.error ?? null,
    finishedAt: at,
  };
  await tx
    .insert(runCheck)
    .values({
      runId: event.runId,
      checkId: event.checkId,
      phase: event.phase,
      name: event.name,
      headSha: event.headSha ?? null,
      seq: event.seq,
      // Its start is unknown until `check.started` is recorded.
      startedAt: new Date(at.getTime() - event.durationMs),
      ...result,
    })
    .onConflictDoUpdate({
      target: [runCheck.runId, runCheck.checkId],
      set: { ...result, headSha: sql`coalesce(${runCheck.headSha}, excluded.head_sha)` },
    });
}
