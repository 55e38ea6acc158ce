import { desc } from "drizzle-orm";
import { z } from "zod";
import { parkedEvent } from "../db/schema";
import { AppError } from "../errors";
import type { App } from "../server/app";
import { isAdmin, type Principal } from "./principal";

/**
 * Recorder entries that could not be written to the database and were set aside (see
 * lib/recorder.ts): admins look at them to find what went wrong. Every user's runs can be
 * among them, so only admins see them.
 */
export const parkedEventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export type ParkedEventView = {
  streamId: string;
  runId: string | null;
  type: string | null;
  error: string;
  attempts: number;
  parkedAt: string;
  /** The entry's fields as read from Redis, JSON-encoded (capped by the recorder). */
  raw: string;
};

export async function listParkedEvents(app: App, principal: Principal, limit = 100): Promise<ParkedEventView[]> {
  if (!isAdmin(principal)) throw new AppError("forbidden", "Only an admin can see parked recorder entries");
  const rows = await app.db.select().from(parkedEvent).orderBy(desc(parkedEvent.parkedAt), desc(parkedEvent.streamId)).limit(limit);
  return rows.map((r) => ({
    streamId: r.streamId,
    runId: r.runId,
    type: r.type,
    error: r.error,
    attempts: r.attempts,
    parkedAt: r.parkedAt.toISOString(),
    raw: r.raw,
  }));
}
