import { eventLogKeys } from "../eventLog";
import { StreamTail, type StreamEntry } from "./streamTail";
import { frameOfAllEventsEntry, runOfAllEventsEntry, spanOf, type SseFrame, type SseSpan } from "./sseFrame";

/** A live viewer of one run, as the hub sees it (lib/server/runEventStream.ts). */
export interface LiveViewer {
  /** The run's next events, already encoded; the same bytes go to every viewer. */
  deliver(span: SseSpan): void;
  /** The hub may have missed entries (reconnect, read error): re-read from your own cursor. */
  resync(): void;
}

/**
 * One blocking reader of `events:all` per web process. For each entry of a run that has live
 * viewers it decodes, validates and encodes the event once and hands the same bytes to every
 * viewer of that run; entries of runs nobody watches are skipped without decoding. So a run
 * with 500 viewers costs one Redis read and one encoding per event, not 500.
 *
 * Delivery is in `events:all` order, which is each run's stream order (one Lua script appends
 * to both). The hub starts from a concrete id it looked up (not "$"), so once `join` resolves,
 * every later append reaches the viewer: a viewer that joins, then catches up on its own,
 * misses nothing in between (it skips what it already sent by stream id).
 */
export class RunEventHub {
  private readonly viewers = new Map<string, Set<LiveViewer>>();
  private readonly tail: StreamTail;

  constructor(redisUrl: string, namespace: string, connectionName = "sse-hub") {
    this.tail = new StreamTail({
      redisUrl,
      stream: eventLogKeys(namespace).allEvents,
      connectionName,
      tag: "sse-hub",
      onEntries: (entries) => this.dispatch(entries),
      // The recorder trims `events:all`: every viewer re-reads its run from its own cursor.
      onGap: () => this.resyncAll(),
    });
  }

  /**
   * Adds a live viewer of `runId`. Resolves once the hub reads from a fixed position: every
   * entry appended after that is delivered to this viewer while it stays joined.
   */
  join(runId: string, viewer: LiveViewer): Promise<void> {
    let set = this.viewers.get(runId);
    if (!set) this.viewers.set(runId, (set = new Set()));
    set.add(viewer);
    return this.tail.start();
  }

  leave(runId: string, viewer: LiveViewer): void {
    const set = this.viewers.get(runId);
    if (!set) return;
    set.delete(viewer);
    if (set.size === 0) this.viewers.delete(runId);
  }

  /** Live viewers of a run (for tests and diagnostics). */
  viewerCount(runId: string): number {
    return this.viewers.get(runId)?.size ?? 0;
  }

  private resyncAll() {
    for (const set of this.viewers.values()) for (const viewer of set) viewer.resync();
  }

  private dispatch(entries: StreamEntry[]) {
    // Per watched run, its events of this read, in order; unwatched runs are not decoded.
    const byRun = new Map<string, SseFrame[]>();
    for (const [, fields] of entries) {
      const runId = runOfAllEventsEntry(fields);
      if (runId === undefined || !this.viewers.has(runId)) continue;
      const frame = frameOfAllEventsEntry(runId, fields);
      if (!frame) continue;
      const frames = byRun.get(runId);
      if (frames) frames.push(frame);
      else byRun.set(runId, [frame]);
    }
    for (const [runId, frames] of byRun) {
      const span = spanOf(frames);
      // A viewer may leave while we deliver (it ended or fell behind); Set iteration allows that.
      for (const viewer of this.viewers.get(runId) ?? []) viewer.deliver(span);
    }
  }

  stop() {
    this.tail.stop();
  }
}

const holder = globalThis as unknown as { __agentdeskHub?: RunEventHub };

export function runEventHub(redisUrl: string, namespace: string): RunEventHub {
  holder.__agentdeskHub ??= new RunEventHub(redisUrl, namespace);
  return holder.__agentdeskHub;
}
