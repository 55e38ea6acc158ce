import crypto from "node:crypto";
import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { notificationDelivery } from "../db/schema";

/** Attempts kept per user: enough to see what happened lately, never a growing table. */
export const DELIVERY_LOG_SIZE = 50;

export type DeliveryAttempt = Omit<typeof notificationDelivery.$inferInsert, "id" | "at">;

/** Notes one attempt and drops the user's attempts beyond the newest DELIVERY_LOG_SIZE. */
export async function noteDeliveryAttempt(db: Db, attempt: DeliveryAttempt): Promise<void> {
  await db.insert(notificationDelivery).values({ id: crypto.randomUUID(), ...attempt });
  const [oldestKept] = await db
    .select({ at: notificationDelivery.at })
    .from(notificationDelivery)
    .where(eq(notificationDelivery.userId, attempt.userId))
    .orderBy(desc(notificationDelivery.at))
    .offset(DELIVERY_LOG_SIZE - 1)
    .limit(1);
  if (oldestKept) {
    await db.delete(notificationDelivery).where(and(eq(notificationDelivery.userId, attempt.userId), lt(notificationDelivery.at, oldestKept.at)));
  }
}

export type DeliveryView = {
  id: string;
  jobId: string;
  subject: string;
  runId: string | null;
  runTitle: string | null;
  attempt: number;
  ok: boolean;
  willRetry: boolean;
  httpStatus: number | null;
  error: string | null;
  at: string;
};

/** The user's latest attempts, newest first. */
export async function listDeliveryAttempts(db: Db, userId: string, limit = DELIVERY_LOG_SIZE): Promise<DeliveryView[]> {
  const rows = await db
    .select()
    .from(notificationDelivery)
    .where(eq(notificationDelivery.userId, userId))
    .orderBy(desc(notificationDelivery.at), desc(notificationDelivery.attempt))
    .limit(limit);
  return rows.map(({ userId: _u, at, ...row }) => ({ ...row, at: at.toISOString() }));
}
