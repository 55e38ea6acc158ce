import type { Redis } from "ioredis";
import { liveChannelEvents, type ResyncReason } from "../contracts/runChanges";
import { compareStreamIds } from "../eventLog";
import { seesRunOf, type RunVisibility } from "../services/runVisibility";
import { changeEntry, type ChangeEntry, type UserChannelHub } from "./userChannelHub";

const HEARTBEAT_MS = 15_000;
/**
 * Messages a client may leave unread before it is let go: a tab that stopped reading must not
 * make this process hold every change for it. It reconnects and resumes from its last id.
 */
const MAX_UNREAD = 1_000;
const CATCH_UP_BATCH = 500;

export type UserChannelOptions = {
  /** A non-blocking connection for reading the stream's history. */
  redis: Redis;
  stream: string;
  hub: UserChannelHub;
  visibility: RunVisibility;
  /** The client's Last-Event-ID (validated), or null on a first connection. */
  afterId: string | null;
  signal: AbortSignal;
  heartbeatMs?: number;
  maxUnread?: number;
  /** Called once when the channel ends, however it ends. */
  onEnd?: () => void;
};

/**
 * One user's live channel as server-sent events: the run changes they may see, each with its
 * stream id as the SSE id. Resuming after an id the stream still holds sends `ready` and then
 * exactly the changes after it; otherwise (first connection, trimmed or unknown id) `resync`
 * first, whose id is where the channel continues: the client refetches what it shows.
 * Heartbeats carry the channel's position as a bare `id:` line (changes the user may not see
 * move it too), so a quiet channel's id stays in the stream and its resume stays exact.
 */
export function userChannelStream(opts: UserChannelOptions): ReadableStream<Uint8Array> {
  const { redis, stream, hub, visibility, signal } = opts;
  const encoder = new TextEncoder();
  const maxUnread = opts.maxUnread ?? MAX_UNREAD;
  let cursor = "0-0";
  let sentId: string | null = null;
  let closed = false;
  let catchingUp = true;
  const held: ChangeEntry[] = [];
  let unsubscribe: (() => void) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const stop = () => {
        closed = true;
        unsubscribe?.();
        clearInterval(heartbeat);
        opts.onEnd?.();
      };
      const close = () => {
        if (closed) return;
        stop();
        try {
          controller.close();
        } catch {
          // already closed by the client going away
        }
      };
      const send = (bytes: Uint8Array | string) => {
        if (closed) return;
        if ((controller.desiredSize ?? 0) < -maxUnread) {
          console.warn(`[user-channel] a client left ${maxUnread} messages unread; closing its channel (it resumes from its last id)`);
          close();
          return;
        }
        controller.enqueue(typeof bytes === "string" ? encoder.encode(bytes) : bytes);
      };
      const deliver = (entry: ChangeEntry) => {
        if (compareStreamIds(entry.id, cursor) <= 0) return;
        cursor = entry.id;
        if (!seesRunOf(visibility, entry.change.teamId)) return;
        send(entry.sse);
        sentId = entry.id;
      };
      if (signal.aborted) return close();
      signal.addEventListener("abort", close, { once: true });
      // Subscribed before anything is read: what arrives meanwhile is held, then handed on in order.
      unsubscribe = hub.subscribe({
        onChange: (entry) => (catchingUp ? held.push(entry) : deliver(entry)),
        onInterrupted: close,
      });
      heartbeat = setInterval(() => {
        if (sentId !== cursor) {
          send(`id: ${cursor}\n: position\n\n`);
          sentId = cursor;
        } else send(`: keep-alive\n\n`);
      }, opts.heartbeatMs ?? HEARTBEAT_MS);
      send(`retry: 2000\n\n`);

      try {
        await hub.started();
        const resumable = opts.afterId !== null && (await redis.xrange(stream, opts.afterId, opts.afterId)).length > 0;
        if (resumable) {
          cursor = sentId = opts.afterId!;
          send(`event: ${liveChannelEvents.ready}\ndata: {}\n\n`);
          for (;;) {
            const entries = await redis.xrange(stream, `(${cursor}`, "+", "COUNT", CATCH_UP_BATCH);
            if (entries.length === 0 || closed) break;
            for (const [id, fields] of entries) {
              const entry = changeEntry(id, fields);
              if (entry) deliver(entry);
              else cursor = id;
            }
          }
        } else {
          const [newest] = await redis.xrevrange(stream, "+", "-", "COUNT", 1);
          cursor = sentId = newest?.[0] ?? "0-0";
          send(`id: ${cursor}\nevent: ${liveChannelEvents.resync}\ndata: ${JSON.stringify({ reason: await resyncReason(redis, stream, opts.afterId) })}\n\n`);
        }
        // Synchronously after the last read: nothing the hub hands over can slip between.
        catchingUp = false;
        for (const entry of held.splice(0)) deliver(entry);
      } catch (err) {
        if (!closed) {
          console.error("[user-channel] starting a channel failed:", (err as Error).message);
          send(`event: error\ndata: ${JSON.stringify({ message: "live channel interrupted; reconnecting" })}\n\n`);
        }
        close();
      }
    },
    cancel() {
      closed = true;
      unsubscribe?.();
      clearInterval(heartbeat);
      opts.onEnd?.();
    },
  });
}

async function resyncReason(redis: Redis, stream: string, afterId: string | null): Promise<ResyncReason> {
  if (afterId === null) return "fresh";
  const [oldest] = await redis.xrange(stream, "-", "+", "COUNT", 1);
  return oldest && compareStreamIds(afterId, oldest[0]) < 0 ? "trimmed" : "unknown";
}
