import { decodeRunChange, liveChannelEvents, type RunChange } from "../contracts/runChanges";
import { eventLogKeys } from "../eventLog";
import { StreamTail } from "./streamTail";

/** One run change as read from the stream: validated once, its SSE bytes encoded once. */
export type ChangeEntry = { id: string; change: RunChange; sse: Uint8Array };

export type ChangeListener = {
  onChange: (entry: ChangeEntry) => void;
  /** The hub may have missed changes (its Redis connection was replaced): the listener must resume from its own cursor. */
  onInterrupted: () => void;
};

const encoder = new TextEncoder();

/**
 * A run-changes stream entry as a change with its SSE message, or null (logged with the id and
 * why) when it is not one: a malformed entry is skipped, never silently.
 */
export function changeEntry(id: string, fields: string[]): ChangeEntry | null {
  const decoded = decodeRunChange(fields);
  if ("reason" in decoded) {
    console.error(`[user-channel] run change ${id} skipped: ${decoded.reason}`);
    return null;
  }
  const sse = encoder.encode(`id: ${id}\nevent: ${liveChannelEvents.change}\ndata: ${JSON.stringify(decoded.change)}\n\n`);
  return { id, change: decoded.change, sse };
}

/**
 * The one reader of the run-changes stream in this web process: its entries are validated and
 * encoded once and handed to every connected live channel (lib/server/userChannelStream.ts),
 * which filters them by who may see the run. A channel that subscribed and then awaited
 * `started()` is handed every change appended after that (streamTail.ts).
 */
export class UserChannelHub {
  private readonly listeners = new Set<ChangeListener>();
  private readonly tail: StreamTail;

  constructor(redisUrl: string, namespace: string, connectionName = "user-channel-hub") {
    this.tail = new StreamTail({
      redisUrl,
      stream: eventLogKeys(namespace).runChanges,
      connectionName,
      tag: "user-channel",
      onEntries: (entries) => {
        for (const [id, fields] of entries) {
          const entry = changeEntry(id, fields);
          if (entry) for (const listener of [...this.listeners]) listener.onChange(entry);
        }
      },
      // Every channel resumes from its own cursor (exact, or resync if the stream was trimmed).
      onGap: () => {
        for (const listener of [...this.listeners]) listener.onInterrupted();
      },
    });
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Resolves once the hub reads from a fixed position: every change appended later reaches the listeners. */
  started(): Promise<void> {
    return this.tail.start();
  }

  stop() {
    this.tail.stop();
  }
}

const holder = globalThis as unknown as { __agentdeskUserChannelHub?: UserChannelHub };

/** This web process's hub (kept on globalThis so dev-mode module reloads reuse it). */
export function userChannelHub(redisUrl: string, namespace: string): UserChannelHub {
  holder.__agentdeskUserChannelHub ??= new UserChannelHub(redisUrl, namespace);
  return holder.__agentdeskUserChannelHub;
}
