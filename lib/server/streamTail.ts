import type { Redis } from "ioredis";
import { compareStreamIds } from "../eventLog";
import { createRedis } from "../redis";

export type StreamEntry = [id: string, fields: string[]];

type StreamTailOptions = {
  redisUrl: string;
  stream: string;
  /** The Redis connection's name (agentdesk:<name>), so operators and tests can find it. */
  connectionName: string;
  /** The log prefix, e.g. "sse-hub". */
  tag: string;
  /** Entries in stream order, as each read returns them. */
  onEntries: (entries: StreamEntry[]) => void;
  /**
   * Entries may pass unseen: the connection was lost (until it is back, nothing arrives), or
   * the stream was trimmed past this tail's position while it could not read. Whoever relies
   * on this tail re-reads from their own position.
   */
  onGap: () => void;
};

const READ_COUNT = 500;
const BLOCK_MS = 10_000;
const RETRY_PAUSE_MS = 1_000;

/**
 * Follows a Redis stream from its newest entry on one blocking connection: the reader behind
 * the run-feed hub and the user-channel hub. Its position is a concrete stream id from the
 * start (never "$" between reads), so once `start()` resolves, every later append is handed
 * to `onEntries`, unless `onGap` says otherwise.
 */
export class StreamTail {
  private redis: Redis | null = null;
  private running = false;
  private starting: Promise<void> | null = null;
  /** The id of the last entry handed on: the next read starts after it. */
  private position = "0-0";
  /** Set when the connection came back: the position then, to check against the stream's oldest entry. */
  private reconnectedAt: string | null = null;

  constructor(private readonly opts: StreamTailOptions) {}

  /** Resolves once the tail reads from a fixed position; rejects (and can be started again) if it cannot. */
  start(): Promise<void> {
    if (this.starting) return this.starting;
    const { stream, tag } = this.opts;
    this.running = true;
    const redis = (this.redis = createRedis(this.opts.redisUrl, "blocking", this.opts.connectionName));
    redis.on("error", (err) => console.error(`[${tag}] redis:`, err.message));
    this.starting = (async () => {
      const [newest] = await redis.xrevrange(stream, "+", "-", "COUNT", 1);
      this.position = newest?.[0] ?? "0-0";
      void this.loop(redis);
      // Registered after the first connection is up. A lost connection is a gap at once, not
      // at the reconnect: whoever relies on this tail re-reads on their own, and while Redis
      // is away that fails, so their clients learn it now instead of seeing "live" and nothing.
      redis.on("close", () => {
        if (this.redis === redis) this.opts.onGap();
      });
      // Back: the read goes on from the same position, so entries were missed only if the
      // stream was trimmed past it meanwhile (checked before the next entries are handed on).
      redis.on("ready", () => void (this.reconnectedAt ??= this.position));
    })().catch((err: unknown) => {
      this.stop();
      throw new Error(`${tag}: could not read ${stream}: ${(err as Error).message}`, { cause: err });
    });
    return this.starting;
  }

  private async loop(redis: Redis) {
    const { stream, tag } = this.opts;
    while (this.running && this.redis === redis) {
      try {
        const reply = (await redis.xread("COUNT", READ_COUNT, "BLOCK", BLOCK_MS, "STREAMS", stream, this.position)) as
          | [string, StreamEntry[]][]
          | null;
        if (this.reconnectedAt !== null) await this.gapIfTrimmed(redis);
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) continue;
        this.position = entries[entries.length - 1]![0];
        this.opts.onEntries(entries);
      } catch (err) {
        if (!this.running || this.redis !== redis) return;
        console.error(`[${tag}] reading ${stream} failed:`, (err as Error).message);
        await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
        this.reconnectedAt ??= this.position;
      }
    }
  }

  /** After a reconnect or a failed read: a gap if the stream no longer holds where this tail was. */
  private async gapIfTrimmed(redis: Redis) {
    const at = this.reconnectedAt!;
    const [oldest] = await redis.xrange(this.opts.stream, "-", "+", "COUNT", 1);
    this.reconnectedAt = null;
    if (at !== "0-0" && (!oldest || compareStreamIds(oldest[0], at) > 0)) this.opts.onGap();
  }

  stop() {
    this.running = false;
    this.starting = null;
    this.redis?.disconnect();
    this.redis = null;
  }
}
