import { and, asc, eq, gt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { runEvent } from "../db/schema";
import { compareStreamIds, decodeEntry, parseStreamId, readRunEvents, type EventLog } from "../eventLog";
import { endsStream, runEvent as runEventSchema, type RunEvent, type StoredEvent } from "../events";
import type { RunEventHub } from "./runEventHub";

const HEARTBEAT_MS = 15_000;

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

export function formatSse(id: string, event: RunEvent): string {
  // The full patch can be large; the feed says a diff is ready and clients fetch it on demand.
  const payload = event.type === "diff.ready" ? { ...event, patch: undefined } : event;
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/**
 * A run's events as server-sent events: everything after `afterId` (from the database where
 * Redis no longer holds it, then from the run's stream), then live; ends after the event that
 * ends the run's job. The stream id is the SSE `id:`, so a reconnect resumes with no gap.
 */
export function runEventStream(opts: {
  db: Db;
  log: EventLog;
  hub: RunEventHub;
  runId: string;
  afterId: string;
  signal: AbortSignal;
}): ReadableStream<Uint8Array> {
  const { db, log, hub, runId, signal } = opts;
  const encoder = new TextEncoder();
  let cursor = opts.afterId;
  let closed = false;
  let unsubscribe: (() => void) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let wake: (() => void) | undefined;
  let poked = false;

  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const close = () => {
        if (closed) return;
        closed = true;
        unsubscribe?.();
        clearInterval(heartbeat);
        wake?.();
        try {
          controller.close();
        } catch {
          // already closed by the client going away
        }
      };
      signal.addEventListener("abort", close, { once: true });
      // Subscribe before the first read, so nothing appended meanwhile goes unnoticed.
      unsubscribe = hub.subscribe(runId, () => {
        poked = true;
        wake?.();
      });
      heartbeat = setInterval(() => {
        if (!closed) controller.enqueue(encoder.encode(`: keep-alive\n\n`));
      }, HEARTBEAT_MS);
      controller.enqueue(encoder.encode(`retry: 2000\n\n`));

      let last: RunEvent | undefined;
      const send = (batch: StoredEvent[]) => {
        for (const { id, event } of batch) {
          controller.enqueue(encoder.encode(formatSse(id, event)));
          cursor = id;
          last = event;
        }
      };

      try {
        const oldest = await oldestInStream(log, runId);
        const streamIsComplete = oldest?.seq === 1;
        const cursorBeforeStream = oldest === null || cursor === "0" || compareStreamIds(cursor, oldest.id) < 0;
        if (!streamIsComplete && cursorBeforeStream) {
          send(await eventsFromDatabase(db, runId, cursor, oldest?.id ?? null));
        }
        while (!closed) {
          poked = false;
          for (let batch = await readRunEvents(log, runId, cursor); batch.length; batch = await readRunEvents(log, runId, cursor)) {
            send(batch);
          }
          if (last && endsStream(last)) break;
          if (!poked) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } catch (err) {
        if (!closed) {
          console.error(`[sse] run ${runId}:`, (err as Error).message);
          controller.enqueue(encoder.encode(`event: error\ndata: ${JSON.stringify({ message: "event stream interrupted; reconnecting" })}\n\n`));
        }
      }
      close();
    },
    cancel() {
      closed = true;
      unsubscribe?.();
      clearInterval(heartbeat);
      wake?.();
    },
  });
}
