import type { Redis } from "ioredis";
import { decodeRunChange, liveChannelEvents, type RunChange } from "../contracts/runChanges";
import { eventLogKeys } from "../eventLog";
import { createRedis } from "../redis";

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

type StreamReply = [string, [string, string[]][]][] | null;

/**
 * The one reader of the run-changes stream in this web process: a blocking XREAD whose
 * entries are validated and encoded once and handed to every connected live channel
 * (lib/server/userChannelStream.ts), which filters them by who may see the run. Its position
 * is a concrete stream id from the start (never "$" between reads), so a channel that
 * subscribed and then awaited `started()` is handed every change appended after that.
 */
export class UserChannelHub {
  private readonly listeners = new Set<ChangeListener>();
  private readonly stream: string;
  private redis: Redis | null = null;
  private running = false;
  private starting: Promise<void> | null = null;

  constructor(
    private readonly redisUrl: string,
    namespace: string,
  ) {
    this.stream = eventLogKeys(namespace).runChanges;
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
    if (!this.starting) {
      this.running = true;
      const redis = (this.redis = createRedis(this.redisUrl, "blocking", "user-channel-hub"));
      redis.on("error", (err) => console.error("[user-channel] redis:", err.message));
      this.starting = (async () => {
        const [newest] = await redis.xrevrange(this.stream, "+", "-", "COUNT", 1);
        void this.loop(redis, newest?.[0] ?? "0-0");
        // After a reconnect the blocking read may have been lost with the connection, and the
        // stream trimmed meanwhile: every channel resumes from its own cursor (exact or resync).
        redis.on("ready", () => this.interruptAll());
      })().catch((err: unknown) => {
        this.stop();
        throw new Error(`the live channel could not read ${this.stream}: ${(err as Error).message}`, { cause: err });
      });
    }
    return this.starting;
  }

  private interruptAll() {
    for (const listener of [...this.listeners]) listener.onInterrupted();
  }

  private async loop(redis: Redis, from: string) {
    let position = from;
    while (this.running) {
      try {
        const reply = (await redis.xread("COUNT", 500, "BLOCK", 10_000, "STREAMS", this.stream, position)) as StreamReply;
        for (const [id, fields] of reply?.[0]?.[1] ?? []) {
          position = id;
          const entry = changeEntry(id, fields);
          if (entry) for (const listener of [...this.listeners]) listener.onChange(entry);
        }
      } catch (err) {
        if (!this.running) return;
        console.error("[user-channel] reading run changes failed:", (err as Error).message);
        this.interruptAll();
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  stop() {
    this.running = false;
    this.starting = null;
    this.redis?.disconnect();
    this.redis = null;
  }
}

const holder = globalThis as unknown as { __agentdeskUserChannelHub?: UserChannelHub };

/** This web process's hub (kept on globalThis so dev-mode module reloads reuse it). */
export function userChannelHub(redisUrl: string, namespace: string): UserChannelHub {
  holder.__agentdeskUserChannelHub ??= new UserChannelHub(redisUrl, namespace);
  return holder.__agentdeskUserChannelHub;
}
