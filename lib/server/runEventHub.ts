import type { Redis } from "ioredis";
import { eventLogKeys } from "../eventLog";
import { createRedis } from "../redis";

type Listener = () => void;

/**
 * One blocking reader of `events:all` per web process that tells SSE connections "your run has
 * news". Each connection then reads its own run stream from its own cursor, so a missed poke
 * can delay an event but never lose one, and 200 viewers cost one blocking connection.
 */
export class RunEventHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private redis: Redis | null = null;
  private running = false;
  private readonly stream: string;

  constructor(
    private readonly redisUrl: string,
    namespace: string,
  ) {
    this.stream = eventLogKeys(namespace).allEvents;
  }

  subscribe(runId: string, listener: Listener): () => void {
    let set = this.listeners.get(runId);
    if (!set) this.listeners.set(runId, (set = new Set()));
    set.add(listener);
    this.start();
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(runId);
    };
  }

  private pokeAll() {
    for (const set of this.listeners.values()) for (const l of set) l();
  }

  private start() {
    if (this.running) return;
    this.running = true;
    const redis = (this.redis = createRedis(this.redisUrl, "blocking", "sse-hub"));
    redis.on("error", (err) => console.error("[sse-hub] redis:", err.message));
    // After a reconnect, entries may have passed unseen: every viewer re-reads its stream.
    redis.on("ready", () => this.pokeAll());
    void this.loop(redis);
  }

  private async loop(redis: Redis) {
    let lastId = "$";
    while (this.running) {
      try {
        const res = (await redis.xread("COUNT", 500, "BLOCK", 10_000, "STREAMS", this.stream, lastId)) as
          | [string, [string, string[]][]][]
          | null;
        const entries = res?.[0]?.[1] ?? [];
        const touched = new Set<string>();
        for (const [id, fields] of entries) {
          lastId = id;
          const runIdx = fields.indexOf("run");
          if (runIdx >= 0 && runIdx % 2 === 0) touched.add(fields[runIdx + 1]!);
        }
        for (const runId of touched) this.listeners.get(runId)?.forEach((l) => l());
      } catch (err) {
        if (!this.running) return;
        console.error("[sse-hub] read failed:", (err as Error).message);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  stop() {
    this.running = false;
    this.redis?.disconnect();
    this.redis = null;
  }
}

const holder = globalThis as unknown as { __agentdeskHub?: RunEventHub };

export function runEventHub(redisUrl: string, namespace: string): RunEventHub {
  holder.__agentdeskHub ??= new RunEventHub(redisUrl, namespace);
  return holder.__agentdeskHub;
}
