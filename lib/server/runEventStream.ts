import type { Db } from "../db/client";
import { readRunEvents, type EventLog } from "../eventLog";
import type { StoredEvent } from "../events";
import type { AccessGrant } from "./accessHub";
import { eventsOlderThanStream, isAfter } from "./runEventCatchUp";
import type { LiveViewer, RunEventHub } from "./runEventHub";
import { webSseConnection, type SseConnection } from "./sseConnection";
import { interruptedBytes, keepAliveBytes, retryBytes, sseFrame, type SseSpan } from "./sseFrame";

export { formatSse } from "./sseFrame";

const HEARTBEAT_MS = 15_000;
/**
 * Bytes a viewer may have queued (not yet taken by its connection) before it leaves live
 * delivery. Large enough that a burst of output read in one hub batch does not push a
 * healthy client out; small enough that a stuck client costs the web at most about this.
 */
export const VIEWER_QUEUE_BYTES = 1024 * 1024;
/** Live spans kept while catching up; past this the catch-up simply reads Redis once more. */
const CATCH_UP_BUFFER_SPANS = 1_000;
const READ_BATCH = 200;

type Mode = "joining" | "catching-up" | "live" | "behind" | "closed";

/**
 * One viewer of a run's feed. It joins the hub first, then catches up on its own from its
 * cursor (database for what Redis no longer holds, then the run's stream), keeping the live
 * spans that arrive meanwhile, and then takes the hub's shared spans. Everything it sends
 * moves the cursor, and nothing at or before the cursor is sent again: no gap, no duplicate.
 *
 * A viewer whose connection does not take its bytes (a slow or stopped client) leaves the hub
 * instead of making anyone wait; when its queue drains it catches up from its cursor and
 * rejoins. A hub that may have missed entries asks every viewer to re-read the same way.
 */
class RunEventViewer implements LiveViewer {
  private mode: Mode = "joining";
  private cursor: string;
  private lastEnds = false;
  /** Live spans that arrived during the current catch-up read. */
  private buffered: SseSpan[] = [];
  /** Set when the current catch-up must read Redis once more before going live. */
  private rereadNeeded = false;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private roomWaiter: (() => void) | undefined;

  constructor(
    private readonly db: Db,
    private readonly log: EventLog,
    private readonly hub: RunEventHub,
    private readonly runId: string,
    afterId: string,
    private readonly connection: SseConnection,
  ) {
    this.cursor = afterId;
    connection.onClose(() => this.close());
    connection.onRoom(() => {
      this.roomWaiter?.();
      if (this.mode === "behind") void this.joinAndCatchUp();
    });
    this.heartbeat = setInterval(() => {
      if (this.mode !== "closed" && this.hasRoom()) connection.write(keepAliveBytes);
    }, HEARTBEAT_MS);
    connection.write(retryBytes);
    void this.joinAndCatchUp();
  }

  deliver(span: SseSpan): void {
    if (this.mode === "catching-up" || this.mode === "joining") {
      if (this.buffered.length < CATCH_UP_BUFFER_SPANS) this.buffered.push(span);
      else {
        this.buffered = [];
        this.rereadNeeded = true;
      }
      return;
    }
    if (this.mode !== "live" || !isAfter(span.lastId, this.cursor)) return;
    if (!this.hasRoom()) {
      // The connection is not taking bytes: stop queueing, re-read from the cursor later.
      this.mode = "behind";
      this.hub.leave(this.runId, this);
      return;
    }
    if (isAfter(span.firstId, this.cursor)) this.send(span.bytes, span.lastId, span.ends);
    else {
      // Right after catching up, the cursor can be inside a span: send only what follows it.
      for (const f of span.frames) if (isAfter(f.id, this.cursor)) this.send(f.bytes, f.id, f.ends);
    }
    // As after a catch-up read: the stream ends when the newest event it sent ends the job.
    if (this.lastEnds) this.close();
  }

  resync(): void {
    if (this.mode === "catching-up") this.rereadNeeded = true;
    else if (this.mode === "live") void this.joinAndCatchUp();
  }

  private hasRoom(): boolean {
    return this.connection.hasRoom();
  }

  private send(bytes: Uint8Array, id: string, ends: boolean) {
    this.connection.write(bytes);
    this.cursor = id;
    this.lastEnds = ends;
  }

  /**
   * Sends what comes after the cursor while the queue has room. Returns false if it stopped
   * early: the rest is read again from the cursor once the client took some bytes.
   */
  private sendStored(events: StoredEvent[]): boolean {
    for (const { id, event } of events) {
      if (this.mode === "closed") return true;
      if (!isAfter(id, this.cursor)) continue;
      if (!this.hasRoom()) return false;
      const frame = sseFrame(id, event);
      this.send(frame.bytes, id, frame.ends);
    }
    return true;
  }

  /** Resolves when the queue has room (or the viewer closed): catch-up never floods a slow client. */
  private async room(): Promise<void> {
    while (this.mode !== "closed" && !this.hasRoom()) {
      await new Promise<void>((resolve) => (this.roomWaiter = resolve));
      this.roomWaiter = undefined;
    }
  }

  private async joinAndCatchUp() {
    // Join before reading, so an event appended during the reads is either in what we read or
    // in `buffered` (or both: the cursor drops the second copy).
    this.mode = "joining";
    this.buffered = [];
    try {
      await this.hub.join(this.runId, this);
      if (this.isClosed()) return;
      this.mode = "catching-up";
      for (;;) {
        await this.room();
        if (this.isClosed()) return;
        this.rereadNeeded = false;
        this.buffered = [];
        // The database first, for what Redis no longer holds; then the run's stream.
        const older = await eventsOlderThanStream(this.db, this.log, this.runId, this.cursor);
        if (this.isClosed()) return;
        if (older.length) {
          this.sendStored(older);
          continue;
        }
        const batch = await readRunEvents(this.log, this.runId, this.cursor, READ_BATCH);
        if (this.isClosed()) return;
        const sentAll = this.sendStored(batch);
        if (sentAll && batch.length < READ_BATCH && !this.rereadNeeded) break;
      }
      if (this.lastEnds) return this.close();
      this.mode = "live";
      const pending = this.buffered;
      this.buffered = [];
      for (const span of pending) this.deliver(span);
    } catch (err) {
      if (this.isClosed()) return;
      console.error(`[sse] run ${this.runId}:`, (err as Error).message);
      this.connection.write(interruptedBytes);
      this.close();
    }
  }

  // A method (not a field read) so TypeScript does not narrow `mode` across awaits.
  private isClosed(): boolean {
    return this.mode === "closed";
  }

  private close() {
    if (this.mode === "closed") return;
    this.mode = "closed";
    this.hub.leave(this.runId, this);
    clearInterval(this.heartbeat);
    this.roomWaiter?.();
    this.connection.end();
  }
}

export type RunFeedOptions = {
  db: Db;
  log: EventLog;
  hub: RunEventHub;
  runId: string;
  afterId: string;
  /** The viewer's access (lib/server/accessHub.ts): the feed ends when it is revoked. */
  access?: AccessGrant;
};

/**
 * A run's events as server-sent events, written to `connection`: everything after `afterId`
 * (from the database where Redis no longer holds it, then from the run's stream), then live
 * from the hub; it ends after the event that ends the run's job. The stream id is the SSE
 * `id:`, so a reconnect resumes with no gap.
 */
export function startRunEventFeed(opts: RunFeedOptions, connection: SseConnection): void {
  const { access } = opts;
  if (access) {
    connection.onClose(access.release);
    // Its user was disabled, removed or given another role: the client reconnects, authenticated afresh.
    if (access.signal.aborted) queueMicrotask(() => connection.end());
    else access.signal.addEventListener("abort", () => connection.end(), { once: true });
  }
  new RunEventViewer(opts.db, opts.log, opts.hub, opts.runId, opts.afterId, connection);
}

/** The same feed read as a web stream (Next's route, tests); `signal` aborting ends it. */
export function runEventStream(
  opts: RunFeedOptions & {
    signal: AbortSignal;
    /** Queued bytes at which the viewer leaves live delivery (tests make it small). */
    queueBytes?: number;
  },
): ReadableStream<Uint8Array> {
  const { connection, stream } = webSseConnection(opts.queueBytes ?? VIEWER_QUEUE_BYTES, opts.signal);
  startRunEventFeed(opts, connection);
  return stream;
}
