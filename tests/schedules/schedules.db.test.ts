import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteScheduleRoute, PATCH as patchSchedule } from "@/app/api/schedules/[id]/route";
import { GET as listSchedulesRoute, POST as createScheduleRoute } from "@/app/api/schedules/route";
import { repository, run, schedule } from "@/lib/db/schema";
import { reconcileJobSchedulers, syncJobScheduler } from "@/lib/services/scheduleSync";
import { runScheduleTick } from "@/lib/services/scheduleTick";
import { advertiseWorker, withdrawWorker } from "@/lib/workerDirectory";
import { call, getApp, otherTeam, registerRepo, signUp, type Session } from "../support/web";

type ErrorBody = { error: { code: string; issues?: { path: string; message: string }[] } };
type ScheduleJson = { id: string; name: string; repo: string | null; cron: string; timezone: string; enabled: boolean; owner: string; lastRunId: string | null; lastError: string | null; description: string; nextRunAt: string | null };

const cliTemplate = { executor: "cli", command: "echo scheduled", priority: "high", maxTurns: 7, timeoutSec: 120 };

describe("schedules", () => {
  let admin: Session;
  let alice: Session;
  let bob: Session;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-sched-repo-"));

  const create = (as: Session, body: Record<string, unknown>) => call(createScheduleRoute, "/api/schedules", { as, body });
  async function created(as: Session, body: Record<string, unknown>): Promise<ScheduleJson> {
    const res = await create(as, body);
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as ScheduleJson;
  }
  const jobScheduler = async (id: string) => (await getApp()).schedulesQueue.getJobScheduler(id);

  beforeAll(async () => {
    admin = await signUp("sched-admin@example.com");
    alice = await signUp("sched-alice@example.com");
    // Bob works in another team, with a repository of the same name.
    bob = (await otherTeam()).owner;
    expect((await registerRepo(admin, { name: "demo", url: repoDir })).status).toBe(201);
    expect((await registerRepo(bob, { name: "demo", url: repoDir })).status).toBe(201);
  });

  describe("validation", () => {
    it.each([
      [{ name: "a", repo: "demo", cron: "not a cron", ...cliTemplate }, "cron", 400],
      [{ name: "a", repo: "demo", cron: "61 * * * *", ...cliTemplate }, "cron", 400],
      [{ name: "a", repo: "demo", cron: "* * * * * *", ...cliTemplate }, "cron", 400],
      [{ name: "a", repo: "demo", cron: "*/10 * * * * *", ...cliTemplate }, "cron", 400],
      [{ name: "a", repo: "demo", cron: "0 9 * * *", timezone: "Mars/Olympus", ...cliTemplate }, "timezone", 400],
      [{ name: "", repo: "demo", cron: "0 9 * * *", ...cliTemplate }, "name", 400],
      [{ name: "a", repo: "demo", cron: "0 9 * * *", executor: "cli" }, "command", 400],
      [{ name: "a", repo: "demo", cron: "0 9 * * *", prompt: "" }, "prompt", 400],
      [{ name: "a", repo: "demo", cron: "0 9 * * *", ...cliTemplate, maxTurns: 0 }, "maxTurns", 400],
      [{ name: "a", repo: "demo", cron: "0 9 * * *", ...cliTemplate, timeoutSec: 10_000_000 }, "timeoutSec", 400],
      [{ name: "a", repo: "nope", cron: "0 9 * * *", ...cliTemplate }, "repo", 422],
    ])("refuses %j naming the field", async (body, field, status) => {
      const res = await create(alice, body);
      expect(res.status).toBe(status);
      const { error } = (await res.json()) as ErrorBody;
      expect(error.issues?.map((i) => i.path)).toContain(field);
    });

    it("names every field at fault at once", async () => {
      for (const cron of ["bad", "* * * * * *"]) {
        const res = await create(alice, { repo: "demo", cron, timezone: "X/Y", executor: "cli" });
        expect(res.status).toBe(400);
        const { error } = (await res.json()) as ErrorBody;
        expect(error.issues?.map((i) => i.path).sort()).toEqual(["command", "cron", "name", "timezone"]);
      }
    });

    it("needs a signed-in user", async () => {
      const res = await call(createScheduleRoute, "/api/schedules", { body: { name: "x" } });
      expect(res.status).toBe(401);
    });
  });

  describe("ownership and the job scheduler", () => {
    it("creates a job scheduler with the pattern and zone, removes it on disable and delete", async () => {
      const s = await created(alice, { name: "nightly", repo: "demo", cron: "30 2 * * 1-5", timezone: "Europe/Paris", ...cliTemplate });
      expect(s).toMatchObject({ enabled: true, repo: "demo", timezone: "Europe/Paris", owner: alice.email });
      expect(s.description).toMatch(/02:30/);
      expect(s.nextRunAt).not.toBeNull();
      expect(await jobScheduler(s.id)).toMatchObject({ pattern: "30 2 * * 1-5", tz: "Europe/Paris", template: { data: { scheduleId: s.id } } });

      const off = await call(patchSchedule, `/api/schedules/${s.id}`, { as: alice, method: "PATCH", body: { enabled: false }, params: { id: s.id } });
      expect(off.status).toBe(200);
      expect(((await off.json()) as ScheduleJson).enabled).toBe(false);
      expect(await jobScheduler(s.id)).toBeUndefined();

      const on = await call(patchSchedule, `/api/schedules/${s.id}`, { as: alice, method: "PATCH", body: { enabled: true }, params: { id: s.id } });
      expect(on.status).toBe(200);
      expect(await jobScheduler(s.id)).toMatchObject({ pattern: "30 2 * * 1-5" });

      const bad = await call(patchSchedule, `/api/schedules/${s.id}`, { as: alice, method: "PATCH", body: { enabled: "yes" }, params: { id: s.id } });
      expect(bad.status).toBe(400);

      const del = await call(deleteScheduleRoute, `/api/schedules/${s.id}`, { as: alice, method: "DELETE", params: { id: s.id } });
      expect(del.status).toBe(204);
      expect(await jobScheduler(s.id)).toBeUndefined();
      const app = await getApp();
      expect(await app.db.select().from(schedule).where(eq(schedule.id, s.id))).toHaveLength(0);
    });

    it("hides a team's schedules from other teams (404) and shows the whole team its own", async () => {
      const s = await created(alice, { name: "alice's", repo: "demo", cron: "0 9 * * *", ...cliTemplate });
      const mine = await created(bob, { name: "bob's", repo: "demo", cron: "0 10 * * *", ...cliTemplate });

      const bobList = (await (await call(listSchedulesRoute, "/api/schedules", { as: bob })).json()) as { schedules: ScheduleJson[] };
      expect(bobList.schedules.map((x) => x.id)).toEqual([mine.id]);
      const adminList = (await (await call(listSchedulesRoute, "/api/schedules", { as: admin })).json()) as { schedules: ScheduleJson[] };
      expect(adminList.schedules.map((x) => x.id)).toContain(s.id);
      expect(adminList.schedules.map((x) => x.id)).not.toContain(mine.id);

      for (const [handler, method, body] of [[patchSchedule, "PATCH", { enabled: false }], [deleteScheduleRoute, "DELETE", undefined]] as const) {
        const res = await call(handler, `/api/schedules/${s.id}`, { as: bob, method, body, params: { id: s.id } });
        expect(res.status).toBe(404);
      }
      expect(await jobScheduler(s.id)).toBeDefined();
      const notUuid = await call(deleteScheduleRoute, "/api/schedules/x", { as: bob, method: "DELETE", params: { id: "x" } });
      expect(notUuid.status).toBe(404);

      const byAdmin = await call(patchSchedule, `/api/schedules/${s.id}`, { as: admin, method: "PATCH", body: { enabled: false }, params: { id: s.id } });
      expect(byAdmin.status).toBe(200);
    });
  });

  describe("the tick", () => {
    it("creates a run as the owner from the template and records it", async () => {
      const s = await created(alice, { name: "echo", repo: "demo", cron: "0 3 * * *", ...cliTemplate });
      const app = await getApp();
      const outcome = await runScheduleTick(app, s.id);
      expect(outcome.kind).toBe("created");
      const runId = outcome.kind === "created" ? outcome.runId : "";
      const [row] = await app.db.select().from(run).where(eq(run.id, runId));
      expect(row).toMatchObject({ userId: alice.userId, executor: "cli", command: "echo scheduled", priority: "high", maxTurns: 7, timeoutSec: 120 });
      expect(await app.queue.getJob(runId)).toBeDefined();
      const [after] = await app.db.select().from(schedule).where(eq(schedule.id, s.id));
      expect(after).toMatchObject({ lastRunId: runId, lastError: null });
      expect(after!.lastRunAt).toBeInstanceOf(Date);

      // The same firing again (BullMQ retrying the tick) makes no second run.
      const first = await runScheduleTick(app, s.id, "repeat:tick-1");
      const again = await runScheduleTick(app, s.id, "repeat:tick-1");
      expect(again).toEqual(first);
      expect((await app.db.select().from(run).where(eq(run.userId, alice.userId))).filter((r) => r.command === "echo scheduled")).toHaveLength(2);
    });

    it("records why no run was made, without throwing", async () => {
      const app = await getApp();
      // Agent runs need a job process offering them: one does when the schedule is made, none at its tick.
      const advert = { name: "sched-worker", startedAt: new Date().toISOString(), concurrency: 1, activeRuns: 0, sandbox: "on" as const };
      await advertiseWorker(app.redis, app.config.redisPrefix, { ...advert, executors: [{ name: "agent", available: true }] });
      const agent = await created(alice, { name: "agent", repo: "demo", cron: "0 4 * * *", prompt: "tidy up" });
      await withdrawWorker(app.redis, app.config.redisPrefix, advert.name);
      expect(await runScheduleTick(app, agent.id)).toMatchObject({ kind: "refused" });
      const [a] = await app.db.select().from(schedule).where(eq(schedule.id, agent.id));
      expect(a!.lastError).toMatch(/not available/);
      expect(a!.lastRunId).toBeNull();

      expect((await registerRepo(admin, { name: "doomed", url: repoDir })).status).toBe(201);
      const orphan = await created(alice, { name: "orphan", repo: "doomed", cron: "0 5 * * *", ...cliTemplate });
      await app.db.delete(repository).where(eq(repository.name, "doomed"));
      expect(await runScheduleTick(app, orphan.id)).toMatchObject({ kind: "refused" });
      const [o] = await app.db.select().from(schedule).where(eq(schedule.id, orphan.id));
      expect(o!.lastError).toMatch(/repository is no longer registered/);
      const listed = (await (await call(listSchedulesRoute, "/api/schedules", { as: alice })).json()) as { schedules: ScheduleJson[] };
      expect(listed.schedules.find((x) => x.id === orphan.id)?.repo).toBeNull();

      const broken = await created(alice, { name: "broken", repo: "demo", cron: "0 6 * * *", ...cliTemplate });
      await app.db.update(schedule).set({ template: { executor: "cli" } }).where(eq(schedule.id, broken.id));
      expect(await runScheduleTick(app, broken.id)).toMatchObject({ kind: "refused", error: expect.stringMatching(/command/) });
    });

    it("does nothing for a disabled or deleted schedule", async () => {
      const app = await getApp();
      const s = await created(alice, { name: "paused", repo: "demo", cron: "0 7 * * *", ...cliTemplate });
      await app.db.update(schedule).set({ enabled: false }).where(eq(schedule.id, s.id));
      expect(await runScheduleTick(app, s.id)).toEqual({ kind: "skipped", reason: "disabled" });
      expect(await runScheduleTick(app, crypto.randomUUID())).toEqual({ kind: "skipped", reason: "gone" });
    });
  });

  it("reconciles at start-up: every enabled schedule scheduled, strays removed", async () => {
    const app = await getApp();
    const s = await created(bob, { name: "lost", repo: "demo", cron: "15 8 * * *", timezone: "Asia/Tokyo", ...cliTemplate });
    const off = await created(bob, { name: "off", repo: "demo", cron: "15 9 * * *", ...cliTemplate });
    // Redis lost the first one; the second was disabled in the database only.
    await app.schedulesQueue.removeJobScheduler(s.id);
    await app.db.update(schedule).set({ enabled: false }).where(eq(schedule.id, off.id));
    await syncJobScheduler(app, { id: "stray", cron: "0 0 * * *", timezone: "UTC", enabled: true });

    const result = await reconcileJobSchedulers(app);
    expect(result.removed).toBeGreaterThanOrEqual(2);
    expect(await jobScheduler(s.id)).toMatchObject({ pattern: "15 8 * * *", tz: "Asia/Tokyo" });
    expect(await jobScheduler(off.id)).toBeUndefined();
    expect(await jobScheduler("stray")).toBeUndefined();
    const enabled = await app.db.select({ id: schedule.id }).from(schedule).where(eq(schedule.enabled, true));
    const schedulers = await app.schedulesQueue.getJobSchedulers(0, -1);
    expect(schedulers.map((j) => j.key).sort()).toEqual(enabled.map((e) => e.id).sort());
  });
});
