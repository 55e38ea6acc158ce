import { decodeEntry, entryFields } from "../eventLog";
import { endsStream, type RunEvent } from "../events";

/** One event as the bytes of a server-sent event, encoded once and shared by every viewer. */
export type SseFrame = { id: string; bytes: Uint8Array; ends: boolean };

const encoder = new TextEncoder();

export function formatSse(id: string, event: RunEvent): string {
  // The full patch can be large; the feed says a diff is ready and clients fetch it on demand.
  const payload = event.type === "diff.ready" ? { ...event, patch: undefined } : event;
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

export function sseFrame(id: string, event: RunEvent): SseFrame {
  return { id, bytes: encoder.encode(formatSse(id, event)), ends: endsStream(event) };
}

/** The run an `events:all` entry belongs to, without decoding the event (most entries are skipped). */
export function runOfAllEventsEntry(fields: string[]): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === "run") return fields[i + 1];
  return undefined;
}

/**
 * An `events:all` entry (run, id, seq, data: see APPEND_SCRIPT in lib/eventLog.ts) as a frame
 * whose SSE id is the run stream's id, or null if it is not a valid event (the run's own
 * stream reader skips such entries too, so live and catch-up agree).
 */
export function frameOfAllEventsEntry(runId: string, fields: string[]): SseFrame | null {
  const id = entryFields(fields).id;
  if (!id) return null;
  const event = decodeEntry(runId, fields);
  return event ? sseFrame(id, event) : null;
}

/**
 * Consecutive events of one run, read in one go by the hub, as one chunk: a viewer whose
 * cursor is just before `firstId` queues `bytes` once instead of one chunk per event (each
 * chunk costs a trip through the response's stream machinery and a socket write). As with a
 * catch-up read, only the newest event decides whether the stream ends (`ends`): a replayed
 * run.awaiting_review followed by its push's events does not end it.
 */
export type SseSpan = { firstId: string; lastId: string; bytes: Uint8Array; ends: boolean; frames: SseFrame[] };

export function spanOf(frames: SseFrame[]): SseSpan {
  const last = frames[frames.length - 1]!;
  let bytes = frames[0]!.bytes;
  if (frames.length > 1) {
    bytes = new Uint8Array(frames.reduce((n, f) => n + f.bytes.byteLength, 0));
    let at = 0;
    for (const f of frames) {
      bytes.set(f.bytes, at);
      at += f.bytes.byteLength;
    }
  }
  return { firstId: frames[0]!.id, lastId: last.id, bytes, ends: last.ends, frames };
}

export const keepAliveBytes = encoder.encode(`: keep-alive\n\n`);
export const retryBytes = encoder.encode(`retry: 2000\n\n`);
export const interruptedBytes = encoder.encode(
  `event: error\ndata: ${JSON.stringify({ message: "event stream interrupted; reconnecting" })}\n\n`,
);
