import { eq, sql } from "drizzle-orm";
import type { Db } from "./db/client";
import { run, runDiff, runEvent } from "./db/schema";
import { compareStreamIds, parseStreamId } from "./eventLog";
import type { RunEvent } from "./events";
import { keepSettledStatus, runChanges } from "./runChanges";
import { storableDeep } from "./storableText";

/**
 * Writes one event into the database: the event row (idempotent by its stream id), its diff,
 * and its effect on the run row. Returns false when the event was already recorded.
 */
export async function projectEvent(db: Db, streamId: string, unchecked: RunEvent): Promise<boolean> {
  const { ms, seq } = parseStreamId(streamId);
  // Appends escape text PostgreSQL cannot store already; an entry written by anything else
  // must not be able to stall the recorder with it either (lib/storableText.ts).
  const event = storableDeep(unchecked);
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
        secretFindings: event.secretFindings ?? [],
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
    await tx
      .update(run)
      .set({ ...keepSettledStatus(current.status, event, changes), lastEventId: streamId, updatedAt: sql`now()` })
      .where(eq(run.id, event.runId));
    return true;
  });
}
