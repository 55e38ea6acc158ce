import type { Db } from "./db/client";
import { parkedEvent } from "./db/schema";
import { storableText } from "./storableText";

/**
 * What the recorder does with an entry of `events:all` it cannot write: tell a database that
 * is out of reach (retry, never the entry's fault) from one that refuses the entry (count the
 * tries), and set such an entry aside in `parked_event` for admins to see.
 */

// A parked entry keeps this much of its raw fields (a diff can be megabytes).
const RAW_LIMIT = 256 * 1024;
const ERROR_LIMIT = 4_000;

type ErrorLike = { code?: string; message?: string; cause?: ErrorLike };

/** The database's own error (drizzle wraps it, with the whole query, in `cause`). */
function rootError(err: unknown): ErrorLike {
  const e = err as ErrorLike;
  return e?.cause && typeof e.cause === "object" ? e.cause : e;
}

/**
 * The database is out of reach (not this entry's fault): retried without counting, so an outage
 * never parks good events. Class 08 is "connection exception", 57P0x "shutting down/starting".
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  const { code = "", message = "" } = rootError(err);
  return (
    /^08/.test(code) ||
    /^57P0/.test(code) ||
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"].includes(code) ||
    /Connection terminated|connect ECONNREFUSED|PGlite is closed|Client has encountered a connection error/i.test(message)
  );
}

/** The database's message and SQLSTATE, storable, without drizzle's copy of the query and its values. */
export function describeFailure(err: unknown): string {
  const root = rootError(err);
  const text = `${root.message ?? String(err)}${root.code ? ` (${root.code})` : ""}`;
  return storableText(text).slice(0, ERROR_LIMIT);
}

/** The event type an entry's data names, if it is JSON with one. */
function entryType(data: string | undefined): string | null {
  try {
    const parsed = JSON.parse(data ?? "") as { type?: unknown } | null;
    return typeof parsed?.type === "string" ? storableText(parsed.type).slice(0, 200) : null;
  } catch {
    return null;
  }
}

/**
 * Sets an entry aside with why it could not be written (idempotent by its `events:all` id).
 * Returns the type it recorded, for the log line.
 */
export async function parkEntry(
  db: Db,
  entry: { id: string; fields: Record<string, string>; error: string; attempts: number },
): Promise<string | null> {
  const type = entryType(entry.fields.data);
  // JSON.stringify escapes NUL and lone surrogates, so `raw` is storable as it is.
  const raw = JSON.stringify(entry.fields);
  await db
    .insert(parkedEvent)
    .values({
      streamId: entry.id,
      runId: entry.fields.run ? storableText(entry.fields.run).slice(0, 200) : null,
      type,
      raw: raw.length > RAW_LIMIT ? `${raw.slice(0, RAW_LIMIT)}… (${raw.length} characters in all)` : raw,
      error: storableText(entry.error).slice(0, ERROR_LIMIT),
      attempts: entry.attempts,
    })
    .onConflictDoNothing();
  return type;
}
