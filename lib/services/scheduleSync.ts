import { eq } from "drizzle-orm";
import { schedule } from "../db/schema";
import type { App } from "../server/app";

type Firing = { id: string; cron: string; timezone: string; enabled: boolean };

const TICK = "tick";

/**
 * Makes BullMQ's job scheduler for a schedule match its row: present with the row's pattern
 * and zone when enabled, absent otherwise. The scheduler id is the schedule id.
 */
export async function syncJobScheduler(app: Pick<App, "schedulesQueue">, s: Firing): Promise<void> {
  if (!s.enabled) {
    await app.schedulesQueue.removeJobScheduler(s.id);
    return;
  }
  await app.schedulesQueue.upsertJobScheduler(
    s.id,
    { pattern: s.cron, tz: s.timezone },
    {
      name: TICK,
      data: { scheduleId: s.id },
      // A tick fails only when the database or Redis does (a bad schedule is recorded on its
      // row), so a few retries ride out a blip.
      opts: {
        attempts: 3,
        backoff: { type: "exponential", delay: 5_000 },
        removeOnComplete: { age: 24 * 3600, count: 1_000 },
        removeOnFail: { age: 7 * 24 * 3600, count: 5_000 },
      },
    },
  );
}

/**
 * At start-up: every enabled schedule has its job scheduler, and no job scheduler outlives
 * its schedule (a change whose Redis half failed, or Redis restored from elsewhere).
 */
export async function reconcileJobSchedulers(app: Pick<App, "db" | "schedulesQueue">): Promise<{ upserted: number; removed: number }> {
  const enabled = await app.db
    .select({ id: schedule.id, cron: schedule.cron, timezone: schedule.timezone, enabled: schedule.enabled })
    .from(schedule)
    .where(eq(schedule.enabled, true));
  for (const s of enabled) await syncJobScheduler(app, s);
  const wanted = new Set(enabled.map((s) => s.id));
  let removed = 0;
  for (const js of await app.schedulesQueue.getJobSchedulers(0, -1)) {
    if (wanted.has(js.key)) continue;
    await app.schedulesQueue.removeJobScheduler(js.key);
    removed++;
  }
  return { upserted: enabled.length, removed };
}
