import type { Redis } from "ioredis";
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
   * Entries may have passed unseen (a failed read, a replaced connection, with the stream
   * trimmed meanwhile): whoever relies on this tail re-reads from their own position.
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
      void this.loop(redis, newest?.[0] ?? "0-0");
      // Registered after the first connection is up: every later "ready" is a reconnect, after
      // which the blocking read may have been lost with the connection.
      redis.on("ready", () => this.opts.onGap());
    })().catch((err: unknown) => {
      this.stop();
      throw new Error(`${tag}: could not read ${stream}: ${(err as Error).message}`, { cause: err });
    });
    return this.starting;
  }

  private async loop(redis: Redis, from: string) {
    const { stream, tag } = this.opts;
    let position = from;
    while (this.running && this.redis === redis) {
      try {
        const reply = (await redis.xread("COUNT", READ_COUNT, "BLOCK", BLOCK_MS, "STREAMS", stream, position)) as
          | [string, StreamEntry[]][]
          | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) continue;
        position = entries[entries.length - 1]![0];
        this.opts.onEntries(entries);
      } catch (err) {
        if (!this.running || this.redis !== redis) return;
        console.error(`[${tag}] reading ${stream} failed:`, (err as Error).message);
        await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
        this.opts.onGap();
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
