import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { run, schedule } from "@/lib/db/schema";
import { startScheduleWorker } from "@/lib/server/scheduler";
import type { Principal } from "@/lib/services/principal";
import { createSchedule, createScheduleInput, createScheduleInputFor, deleteSchedule } from "@/lib/services/schedules";
import { getApp, principalFor, registerRepo, signUp } from "../support/web";

it("fires for real: BullMQ ticks an every-second schedule and the web's worker creates the run", { timeout: 60_000 }, async () => {
  const admin = await signUp("fire-admin@example.com");
  expect((await registerRepo(admin, { name: "demo", url: fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-fire-")) })).status).toBe(201);
  const app = await getApp();
  const owner: Principal = await principalFor(admin);
  const body = { name: "every second", repo: "demo", cron: "* * * * * *", executor: "cli", command: "true" };
  // Refused without the test-only options, like any other caller's.
  expect(createScheduleInput.safeParse(body).error?.issues.map((i) => i.path)).toEqual([["cron"]]);
  const input = createScheduleInputFor({ allowSubMinute: true }).parse(body);
  await expect(createSchedule(app, owner, input)).rejects.toMatchObject({ issues: [{ path: "cron" }] });
  const s = await createSchedule(app, owner, input, { allowSubMinute: true });

  const worker = startScheduleWorker(app);
  try {
    const deadline = Date.now() + 45_000;
    let runs: { id: string }[] = [];
    while (Date.now() < deadline) {
      runs = await app.db.select({ id: run.id }).from(run).where(eq(run.userId, admin.userId));
      if (runs.length) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(runs.length).toBeGreaterThan(0);
    await deleteSchedule(app, owner, s.id);
    const [row] = await app.db.select().from(schedule).where(eq(schedule.id, s.id));
    expect(row).toBeUndefined();
    expect(await app.schedulesQueue.getJobScheduler(s.id)).toBeUndefined();
  } finally {
    await worker.close();
  }
});
