import { and, asc, eq, gt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { runEvent } from "../db/schema";
import { compareStreamIds, decodeEntry, parseStreamId, type EventLog } from "../eventLog";
import { runEvent as runEventSchema, type StoredEvent } from "../events";

/**
 * The catch-up readers of a run's feed: what a viewer reads on its own, from its own cursor,
 * before (and whenever it falls out of) live delivery. Redis holds the recent part of a run;
 * the database holds everything the recorder wrote, including what Redis trimmed or expired.
 */

/** Whether stream id `id` comes after `cursor` ("0": before everything). */
export function isAfter(id: string, cursor: string): boolean {
  return cursor === "0" || compareStreamIds(id, cursor) > 0;
}

/** Events after `cursor` that only the database still has (the Redis stream was trimmed or expired). */
async function eventsFromDatabase(db: Db, runId: string, cursor: string, before: string | null): Promise<StoredEvent[]> {
  const after = cursor === "0" ? { ms: -1, seq: 0 } : parseStreamId(cursor);
  const rows = await db
    .select()
    .from(runEvent)
    .where(
      and(
        eq(runEvent.runId, runId),
        or(gt(runEvent.streamMs, after.ms), and(eq(runEvent.streamMs, after.ms), gt(runEvent.streamSeq, after.seq))),
      ),
    )
    .orderBy(asc(runEvent.streamMs), asc(runEvent.streamSeq));
  const out: StoredEvent[] = [];
  for (const r of rows) {
    const id = `${r.streamMs}-${r.streamSeq}`;
    if (before && compareStreamIds(id, before) >= 0) break;
    const parsed = runEventSchema.safeParse({ ...(r.data as object), type: r.type, runId, seq: r.seq, at: r.at.toISOString() });
    if (parsed.success) out.push({ id, event: parsed.data });
  }
  return out;
}

/** The oldest entry the run's Redis stream holds, with its per-run sequence number. */
async function oldestInStream(log: EventLog, runId: string): Promise<{ id: string; seq: number } | null> {
  const first = await log.redis.xrange(log.keys.runEvents(runId), "-", "+", "COUNT", 1);
  const entry = first[0];
  if (!entry) return null;
  const event = decodeEntry(runId, entry[1]);
  return { id: entry[0], seq: event?.seq ?? 1 };
}

/**
 * The events after `cursor` that the run's Redis stream no longer holds (empty when it holds
 * them all): read these first, then the stream itself from the last of them.
 */
export async function eventsOlderThanStream(db: Db, log: EventLog, runId: string, cursor: string): Promise<StoredEvent[]> {
  const oldest = await oldestInStream(log, runId);
  // A stream that still starts at seq 1 was never trimmed: Redis alone has the whole run.
  const streamIsComplete = oldest?.seq === 1;
  const cursorBeforeStream = oldest === null || cursor === "0" || compareStreamIds(cursor, oldest.id) < 0;
  if (streamIsComplete || !cursorBeforeStream) return [];
  return eventsFromDatabase(db, runId, cursor, oldest?.id ?? null);
}
