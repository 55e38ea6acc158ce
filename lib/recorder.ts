import os from "node:os";
import type { Redis } from "ioredis";
import type { Db } from "./db/client";
import { compareStreamIds, createEventLog, decodeEntryOrReason, entryFields, eventLogKeys } from "./eventLog";
import type { RunChange } from "./contracts/runChanges";
import type { RunEvent } from "./events";
import { createNotificationsQueue, fanOutFor, notificationFor, notificationJobOptions } from "./notificationsQueue";
import { projectEventNotingChange } from "./projection";
import { isForeignKeyViolation } from "./db/errors";
import { describeFailure, isDatabaseUnreachable, parkEntry } from "./parkedEntries";
import { createRedis } from "./redis";
import { appendRunChange } from "./runChangeLog";
import { noteRunSpend } from "./services/budgets";
import { settleDependentsOf, type DependencyApp } from "./services/runDependencies";
import { createRunsQueue } from "./queue";

export const RECORDER_GROUP = "recorder";

type Entry = [id: string, fields: string[]];

export type RecorderOptions = {
  db: Db;
  redisUrl: string;
  namespace: string;
  consumer?: string;
  blockMs?: number;
  /** Entries another consumer has held this long are taken over (it probably crashed). */
  claimIdleMs?: number;
  /** Failed writes of one entry before it is parked (a database out of reach does not count). */
  maxAttempts?: number;
  log?: Pick<Console, "error" | "warn">;
};

export type Recorder = {
  stop: () => Promise<void>;
  /** Resolves once everything in the stream at call time has been written. For tests and shutdown. */
  settle: (timeoutMs?: number) => Promise<void>;
};

export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Projects `events:all` into the database through the consumer group `recorder`: XACK only
 * after the write, pending entries of a crashed consumer reclaimed, duplicates ignored by
 * stream id. An entry that is malformed, or whose write fails `maxAttempts` times, is parked
 * (see `park`) and acknowledged: the recorder never stalls on one entry. Trims the stream
 * behind itself, never past what is not yet written.
 */
export function startRecorder(opts: RecorderOptions): Recorder {
  const keys = eventLogKeys(opts.namespace);
  const stream = keys.allEvents;
  const consumer = opts.consumer ?? `${os.hostname()}:${process.pid}`;
  const blockMs = opts.blockMs ?? 5_000;
  const claimIdleMs = opts.claimIdleMs ?? 60_000;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const log = opts.log ?? console;
  const redis: Redis = createRedis(opts.redisUrl, "blocking", "recorder");
  redis.on("error", (err) => log.error("[recorder] redis:", err.message));
  // Its own connection: the recorder's is parked in a blocking read between batches.
  const notificationsRedis: Redis = createRedis(opts.redisUrl, "worker", "recorder-notifications");
  notificationsRedis.on("error", (err) => log.error("[recorder] redis (notifications):", err.message));
  const notifications = createNotificationsQueue(notificationsRedis, opts.namespace);
  notifications.on("error", (err) => log.error("[recorder] notifications queue:", err.message));
  // Runs waiting for a run whose status changed are settled from here (released or cancelled).
  const runsQueue = createRunsQueue(notificationsRedis, opts.namespace);
  runsQueue.on("error", (err) => log.error("[recorder] runs queue:", err.message));
  const dependencies: DependencyApp = { db: opts.db, eventLog: createEventLog(notificationsRedis, opts.namespace), queue: runsQueue };

  let running = true;
  let lastClaim = 0;
  let lastTrim = 0;

  async function ensureGroup() {
    try {
      await redis.xgroup("CREATE", stream, RECORDER_GROUP, "0", "MKSTREAM");
    } catch (err) {
      if (!String((err as Error).message).includes("BUSYGROUP")) throw err;
    }
  }

  // Failed writes per entry (in this process; a restart gives an entry a few more tries).
  const failures = new Map<string, number>();
  let acknowledged = 0;

  /**
   * Sets an entry aside in `parked_event` with why it could not be written, for an admin to see
   * (GET /api/admin/parked-events), so that one bad entry never holds up every later one.
   */
  async function park(entryId: string, fields: Record<string, string>, error: string, attempts: number) {
    const type = await parkEntry(opts.db, { id: entryId, fields, error, attempts });
    failures.delete(entryId);
    log.error(`[recorder] parked entry ${entryId} of ${stream} (${type ?? "unknown type"}, run ${fields.run ?? "unknown"}): ${error}`);
  }

  /**
   * Writes one entry, or parks it; throws (to be retried) while it may still succeed. Returns
   * what it changed on its run (also when it was already written), for the live channels.
   */
  async function record(entryId: string, fields: string[]): Promise<{ change: RunChange; event: RunEvent } | null> {
    const map = entryFields(fields);
    const decoded = decodeEntryOrReason(String(map.run ?? ""), fields);
    if ("reason" in decoded || !map.id) {
      // Malformed: no retry can fix it, and dropping it would hide that something wrote it.
      await park(entryId, map, "reason" in decoded ? decoded.reason : "entry has no id field", 1);
      return null;
    }
    const { event } = decoded;
    try {
      const { change } = await projectEventNotingChange(opts.db, map.id, event);
      failures.delete(entryId);
      return change ? { change, event } : null;
    } catch (err) {
      // A run that this database does not know (deleted, or another install sharing Redis
      // without a REDIS_PREFIX) can never be written: acknowledge it rather than retry forever.
      if (isForeignKeyViolation(err)) {
        failures.delete(entryId);
        log.warn(`[recorder] event ${event.type} for unknown run ${event.runId} skipped`);
        return null;
      }
      const what = `${event.type} of run ${event.runId} (${entryId})`;
      if (isDatabaseUnreachable(err)) throw new Error(`database unreachable writing ${what}: ${describeFailure(err)}`, { cause: err });
      const attempts = (failures.get(entryId) ?? 0) + 1;
      failures.set(entryId, attempts);
      if (attempts < maxAttempts) {
        throw new Error(`writing ${what} failed (try ${attempts} of ${maxAttempts}): ${describeFailure(err)}`, { cause: err });
      }
      await park(entryId, map, describeFailure(err), attempts);
      return null;
    }
  }

  async function handle(entries: Entry[]) {
    for (const [entryId, fields] of entries) {
      const recorded = await record(entryId, fields);
      // After the database commit (a browser refetching on it reads the new state) and before
      // the XACK: a crash in between re-delivers the entry, which is noted again, never lost.
      // A Redis failure here throws like any other and the entry is retried.
      if (recorded) {
        // The run's spend against its team's limits, which its job reads at the next turn.
        if (recorded.event.type === "usage") await noteRunSpend({ db: opts.db, redis, namespace: opts.namespace }, recorded.event.runId);
        // After the commit, before the XACK: a crash in between settles them on the re-delivery.
        if (recorded.change.kind === "status") await settleDependentsOf(dependencies, recorded.event.runId, recorded.change.status);
        await appendRunChange(redis, keys, recorded.change);
        await queueNotification(entryId, recorded.change, recorded.event);
      }
      await redis.xack(stream, RECORDER_GROUP, entryId);
      acknowledged++;
    }
  }

  /**
   * Queues the webhook message a change calls for (lib/notificationsQueue.ts); the delivery
   * itself happens elsewhere, so the recorder never waits for a chat service. A re-delivered
   * entry queues the same job id, which BullMQ keeps once. A failure is logged, not retried:
   * a message must never hold up the projection of every later event.
   */
  async function queueNotification(entryId: string, change: RunChange, event: RunEvent) {
    const wanted = notificationFor(change, event, entryId);
    if (!wanted) return;
    try {
      await notifications.add(wanted.job.state, wanted.job, notificationJobOptions(wanted.job, wanted.jobId));
      // The signed endpoints' part (lib/services/webhookFanOut.ts).
      const fanOut = fanOutFor(wanted);
      await notifications.add("fanout", fanOut.job, notificationJobOptions(fanOut.job, fanOut.jobId));
    } catch (err) {
      log.error(`[recorder] could not queue the ${wanted.job.state} notification of run ${change.runId}: ${(err as Error).message}`);
    }
  }

  async function claimAbandoned() {
    if (Date.now() - lastClaim < Math.min(claimIdleMs, 30_000)) return;
    lastClaim = Date.now();
    let cursor = "0-0";
    do {
      const [next, entries] = (await redis.xautoclaim(
        stream, RECORDER_GROUP, consumer, claimIdleMs, cursor, "COUNT", 100,
      )) as [string, Entry[], string[]];
      await handle(entries.filter((e) => e && e[1]));
      cursor = next;
    } while (cursor !== "0-0" && running);
  }

  async function groupState(client: Redis) {
    // One MULTI, so the three readings describe the same instant (read apart, a batch can be
    // delivered between them and look already acknowledged).
    const replies = await client.multi().xrevrange(stream, "+", "-", "COUNT", 1).xinfo("GROUPS", stream).xpending(stream, RECORDER_GROUP).exec();
    const [newestReply, groupsReply, pendingReply] = (replies ?? []).map(([err, value]) => {
      if (err) throw err;
      return value;
    });
    const newest = newestReply as [string, string[]][];
    const groups = groupsReply as unknown[][];
    const pending = pendingReply as [number, string | null, ...unknown[]];
    const ours = groups
      .map((g) => Object.fromEntries(g.flatMap((_, i) => (i % 2 ? [] : [[g[i], g[i + 1]]]))))
      .find((g) => g.name === RECORDER_GROUP);
    return {
      pendingCount: pending[0],
      oldestPending: pending[1],
      lastDelivered: ours?.["last-delivered-id"] as string | undefined,
      newestEntry: newest[0]?.[0] ?? null,
    };
  }

  async function trim() {
    if (Date.now() - lastTrim < 10_000) return;
    lastTrim = Date.now();
    const state = await groupState(redis);
    const keepFrom = state.pendingCount > 0 ? state.oldestPending : state.lastDelivered;
    if (keepFrom && keepFrom !== "0-0") await redis.xtrim(stream, "MINID", "~", keepFrom);
  }

  async function readBatch(id: ">" | "0"): Promise<Entry[]> {
    const res = (
      id === ">"
        ? await redis.xreadgroup("GROUP", RECORDER_GROUP, consumer, "COUNT", 200, "BLOCK", blockMs, "STREAMS", stream, id)
        : await redis.xreadgroup("GROUP", RECORDER_GROUP, consumer, "COUNT", 200, "STREAMS", stream, id)
    ) as [string, Entry[]][] | null;
    return res?.[0]?.[1] ?? [];
  }

  const loop = (async () => {
    let backoff = 0;
    let acknowledgedAtLastFailure = -1;
    while (running) {
      try {
        await ensureGroup();
        // Our own unacknowledged entries first (a write failed, or we restarted under this name).
        for (let own = await readBatch("0"); own.length && running; own = await readBatch("0")) await handle(own);
        await claimAbandoned();
        await handle(await readBatch(">"));
        await trim();
        backoff = 0;
      } catch (err) {
        if (!running) break;
        // Entries written or parked since the last failure: this is a new entry's trouble, so
        // its retries start quick again (one bad entry after another must not slow to 5 s each).
        if (acknowledged !== acknowledgedAtLastFailure) backoff = 0;
        acknowledgedAtLastFailure = acknowledged;
        backoff = Math.min(backoff ? backoff * 2 : 250, 5_000);
        log.error(`[recorder] ${(err as Error).message}; retrying in ${backoff} ms`);
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  })();

  return {
    async stop() {
      running = false;
      redis.disconnect();
      await loop;
      await notifications.close();
      await runsQueue.close();
      notificationsRedis.disconnect();
    },
    async settle(timeoutMs = 10_000) {
      // A separate connection: the recorder's own is parked in a blocking read.
      const probe = createRedis(opts.redisUrl, "blocking", "recorder-probe");
      try {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const exists = await probe.exists(stream);
          if (exists) {
            const state = await groupState(probe).catch(() => null);
            // Redis's own `lag` goes stale after XTRIM, so compare ids: everything delivered, nothing pending.
            const delivered =
              state?.newestEntry == null ||
              (state.lastDelivered !== undefined && compareStreamIds(state.lastDelivered, state.newestEntry) >= 0);
            if (state && state.pendingCount === 0 && delivered) return;
          }
          if (Date.now() > deadline) throw new Error(`recorder did not catch up within ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 25));
        }
      } finally {
        probe.disconnect();
      }
    },
  };
}
