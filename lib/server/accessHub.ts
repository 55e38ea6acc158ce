import { and, inArray, isNull } from "drizzle-orm";
import type { Redis } from "ioredis";
import type { Db } from "../db/client";
import { user } from "../db/schema";
import { AppError } from "../errors";
import { eventLogKeys } from "../eventLog";
import { WEB_COMMAND_TIMEOUT_MS } from "../redis";
import type { Principal } from "../services/principal";
import type { App } from "./app";
import { StreamTail, type StreamEntry } from "./streamTail";

/**
 * Ends a user's live streams (a run's feed, the user channel) on every web process when an
 * admin disables or removes the account or changes its role. Sessions and tokens are checked
 * when a request starts; a stream, once open, would otherwise run on for hours with the
 * access it had. The change is appended to a Redis stream (eventLogKeys `accessChanges`) that
 * one reader per web process follows (streamTail.ts); each open stream registered here ends
 * when its user is named. The client reconnects, and its new request is authenticated afresh
 * (401 for a disabled account, the new visibility for a new role).
 */

/** Appends beyond this are trimmed: an entry matters only for the moment it is read. */
const STREAM_MAXLEN = 1_000;
/** The stream goes when nobody's access changed for a day. */
const STREAM_TTL_MS = 24 * 3600 * 1000;

type Watch = { principal: Pick<Principal, "userId" | "role">; revoke: () => void };

/** What a live stream holds while it is open: `signal` aborts when its user's access changed. */
export type AccessGrant = { signal: AbortSignal; release: () => void };

export class AccessHub {
  private readonly watches = new Map<string, Set<Watch>>();
  private readonly tail: StreamTail;

  constructor(
    private readonly db: Db,
    redisUrl: string,
    namespace: string,
    connectionName = "access-hub",
  ) {
    this.tail = new StreamTail({
      redisUrl,
      stream: eventLogKeys(namespace).accessChanges,
      connectionName,
      tag: "access-hub",
      onEntries: (entries) => this.dispatch(entries),
      // Changes may have passed unread: the database says who still has the access they had.
      onGap: () => void this.recheckAll(),
    });
  }

  /**
   * Watches `principal`'s access for one live stream. Resolves once every later change is
   * seen, and after the database confirmed the access is still what the request was granted
   * (a change committed between the request's authentication and now is caught here): 401 if
   * not, 503 if this process cannot follow the changes (Redis does not answer).
   */
  async watch(principal: Pick<Principal, "userId" | "role">): Promise<AccessGrant> {
    const controller = new AbortController();
    const watch: Watch = { principal, revoke: () => controller.abort() };
    let set = this.watches.get(principal.userId);
    if (!set) this.watches.set(principal.userId, (set = new Set()));
    set.add(watch);
    const release = () => this.forget(watch);
    controller.signal.addEventListener("abort", release, { once: true });
    try {
      await withTimeout(this.tail.start(), WEB_COMMAND_TIMEOUT_MS);
      const roles = await activeRoles(this.db, [principal.userId]);
      if (roles.get(principal.userId) !== principal.role) throw new AppError("unauthorized", "Your access changed; sign in again");
    } catch (err) {
      release();
      if (err instanceof AppError) throw err;
      throw new AppError("unavailable", `Live updates are unavailable: ${(err as Error).message}`);
    }
    return { signal: controller.signal, release };
  }

  /** Ends this process's streams of `userId` (without waiting for the stream to come back). */
  revoke(userId: string): void {
    for (const watch of [...(this.watches.get(userId) ?? [])]) watch.revoke();
  }

  /** Open streams of a user on this process (tests, diagnostics). */
  watchCount(userId: string): number {
    return this.watches.get(userId)?.size ?? 0;
  }

  private forget(watch: Watch) {
    const set = this.watches.get(watch.principal.userId);
    if (!set) return;
    set.delete(watch);
    if (set.size === 0) this.watches.delete(watch.principal.userId);
  }

  private dispatch(entries: StreamEntry[]) {
    for (const [id, fields] of entries) {
      const userId = userOfEntry(fields);
      if (userId) this.revoke(userId);
      else console.error(`[access-hub] entry ${id} skipped: it names no user`);
    }
  }

  private async recheckAll() {
    const watched = [...this.watches.values()].flatMap((set) => [...set]);
    if (watched.length === 0) return;
    let roles: Map<string, string>;
    try {
      roles = await activeRoles(this.db, [...new Set(watched.map((w) => w.principal.userId))]);
    } catch (err) {
      // Unable to tell who still may read: end them all; their reconnects are authenticated.
      console.error("[access-hub] checking open streams' access failed:", (err as Error).message);
      for (const watch of watched) watch.revoke();
      return;
    }
    for (const watch of watched) if (roles.get(watch.principal.userId) !== watch.principal.role) watch.revoke();
  }

  stop() {
    this.tail.stop();
  }
}

/** The role of each of `ids` whose account exists and is not disabled (the others are missing). */
async function activeRoles(db: Db, ids: string[]): Promise<Map<string, string>> {
  const rows = await db
    .select({ id: user.id, role: user.role })
    .from(user)
    .where(and(inArray(user.id, ids), isNull(user.disabledAt)));
  return new Map(rows.map((r) => [r.id, r.role]));
}

function userOfEntry(fields: string[]): string | null {
  const at = fields.indexOf("user");
  const value = at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined;
  return value ? value : null;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const holder = globalThis as unknown as { __agentdeskAccessHub?: AccessHub };

/** This web process's hub (kept on globalThis so dev-mode module reloads reuse it). */
export function accessHub(app: Pick<App, "db" | "config">): AccessHub {
  holder.__agentdeskAccessHub ??= new AccessHub(app.db, app.config.redisUrl, app.config.redisPrefix);
  return holder.__agentdeskAccessHub;
}

/** Watches the principal's access for one live stream (AccessHub.watch). */
export function watchAccess(app: Pick<App, "db" | "config">, principal: Pick<Principal, "userId" | "role">): Promise<AccessGrant> {
  return accessHub(app).watch(principal);
}

/**
 * Tells every web process that `userId`'s access changed, after the change is in the
 * database. This process's streams end at once, whatever Redis does. A failed append is
 * logged, not thrown: the change itself is made, and the caller's answer says so. (Another
 * process then learns of it only when its own reader re-checks the database, after its
 * connection to Redis was interrupted, or when the stream ends for another reason.)
 */
export async function announceAccessChanged(app: Pick<App, "redis" | "config">, userId: string): Promise<void> {
  holder.__agentdeskAccessHub?.revoke(userId);
  const key = eventLogKeys(app.config.redisPrefix).accessChanges;
  try {
    await appendChange(app.redis, key, userId);
  } catch (err) {
    console.error(`[access-hub] could not announce the access change of user ${userId}:`, (err as Error).message);
  }
}

async function appendChange(redis: Redis, key: string, userId: string): Promise<void> {
  const replies = await redis.multi().xadd(key, "MAXLEN", "~", STREAM_MAXLEN, "*", "user", userId).pexpire(key, STREAM_TTL_MS).exec();
  const failed = replies?.find(([err]) => err)?.[0];
  if (failed) throw failed;
}
