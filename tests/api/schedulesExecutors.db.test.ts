import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteAgentRoute } from "@/app/api/admin/acp-agents/[name]/route";
import { POST as createAgentRoute } from "@/app/api/admin/acp-agents/route";
import { PATCH as patchScheduleRoute } from "@/app/api/schedules/[id]/route";
import { POST as createScheduleRoute } from "@/app/api/schedules/route";
import { run, schedule } from "@/lib/db/schema";
import type { RunJobPayload } from "@/lib/queue";
import { runScheduleTick } from "@/lib/services/scheduleTick";
import type { WorkerAdvert } from "@/lib/workerDirectory";
import { advertiseTestWorker, withdrawTestWorker } from "../support/adverts";
import { call, getApp, registerRepo, signUp, type Session } from "../support/web";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

const WORKER = "sched-exec-worker";

const advertise = (executors: WorkerAdvert["executors"], acpAgents: WorkerAdvert["acpAgents"] = []) =>
  advertiseTestWorker(WORKER, executors, acpAgents);
const withdraw = () => withdrawTestWorker(WORKER);

/** Schedules offer only executors (and ACP agents) a live job process can run, and say so at the tick. */
describe("a schedule's executor", () => {
  let admin: Session;
  let alice: Session;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-sched-exec-"));
  const base = { repo: "demo", cron: "0 3 * * *" };

  const create = (body: Record<string, unknown>) => call(createScheduleRoute, "/api/schedules", { as: alice, body });
  const setEnabled = (id: string, enabled: boolean) =>
    call(patchScheduleRoute, `/api/schedules/${id}`, { as: alice, method: "PATCH", body: { enabled }, params: { id } });

  beforeAll(async () => {
    admin = await signUp("sched-exec-admin@example.com");
    alice = await signUp("sched-exec-alice@example.com");
    expect((await registerRepo(admin, { name: "demo", url: repoDir })).status).toBe(201);
    const goose = { name: "goose", command: "goose", args: ["acp", "--with-builtin", "developer"], envNames: ["GOOSE_PROVIDER"] };
    expect((await call(createAgentRoute, "/api/admin/acp-agents", { as: admin, body: goose })).status).toBe(201);
  });

  afterEach(withdraw);

  it("is refused when no job process offers it now (422 naming executor, saying it can be saved later)", async () => {
    // The schedules of old accepted claude-code, which no job process could run.
    const res = await create({ ...base, name: "claude", executor: "claude-code", prompt: "tidy up" });
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    expect(error.issues?.[0]?.path).toBe("executor");
    expect(error.message).toMatch(/Claude Code is not available: no job process is running.*; the schedule can be saved once a job process offers it$/);

    await advertise([{ name: "claude-code", available: false, reason: "the Claude Code binary is missing" }]);
    const stillNot = await create({ ...base, name: "claude", executor: "claude-code", prompt: "tidy up" });
    expect(stillNot.status).toBe(422);
    expect((await errorOf(stillNot)).message).toMatch(/the Claude Code binary is missing/);

    await advertise([{ name: "claude-code", available: true }]);
    expect((await create({ ...base, name: "claude", executor: "claude-code", prompt: "tidy up" })).status).toBe(201);
    // A shell command waits in the queue for a job process: always accepted.
    await withdraw();
    expect((await create({ ...base, name: "shell", executor: "cli", command: "true" })).status).toBe(201);
  });

  it("checks the ACP agent: required, registered (400), startable by a job process (422)", async () => {
    await advertise([{ name: "acp", available: true }], [{ name: "goose", available: false, reason: "GOOSE_PROVIDER is not set on the job process" }]);
    const missing = await create({ ...base, name: "acp", executor: "acp", prompt: "tidy up" });
    expect(missing.status).toBe(400);
    expect((await errorOf(missing)).issues?.map((i) => i.path)).toContain("acpAgent");

    const unknown = await create({ ...base, name: "acp", executor: "acp", acpAgent: "codex", prompt: "tidy up" });
    expect(unknown.status).toBe(400);
    expect((await errorOf(unknown)).issues?.[0]).toMatchObject({ path: "acpAgent", message: expect.stringMatching(/no ACP agent named "codex"/) });

    const unavailable = await create({ ...base, name: "acp", executor: "acp", acpAgent: "goose", prompt: "tidy up" });
    expect(unavailable.status).toBe(422);
    const error = await errorOf(unavailable);
    expect(error.issues?.[0]?.path).toBe("acpAgent");
    expect(error.message).toMatch(/GOOSE_PROVIDER is not set on the job process; the schedule can be saved once a job process offers it/);

    await advertise([{ name: "acp", available: true }], [{ name: "goose", available: true }]);
    const ok = await create({ ...base, name: "acp", executor: "acp", acpAgent: "goose", prompt: "tidy up" });
    expect(ok.status).toBe(201);
    const { id } = (await ok.json()) as { id: string; template: Record<string, unknown> };
    const app = await getApp();
    const [row] = await app.db.select().from(schedule).where(eq(schedule.id, id));
    expect(row!.template).toMatchObject({ executor: "acp", acpAgent: "goose" });

    // While a schedule would start it, the agent cannot be deleted.
    const refused = await call(deleteAgentRoute, "/api/admin/acp-agents/goose", { as: admin, method: "DELETE", params: { name: "goose" } });
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).message).toMatch(/still in use by schedules "acp"/);

    // The tick while the agent can start: a run with the agent's spec.
    const fired = await runScheduleTick(app, id);
    expect(fired.kind).toBe("created");
    const runId = fired.kind === "created" ? fired.runId : "";
    const [made] = await app.db.select().from(run).where(eq(run.id, runId));
    expect(made).toMatchObject({ executor: "acp", acpAgent: "goose" });
    expect(((await app.queue.getJob(runId))?.data as RunJobPayload).acpAgent).toMatchObject({ name: "goose", command: "goose" });

    // The tick once no job process can start it: the reason on the schedule, no run queued.
    await withdraw();
    const refusedTick = await runScheduleTick(app, id, "tick-unavailable");
    expect(refusedTick).toMatchObject({ kind: "refused", error: expect.stringMatching(/^acpAgent: ACP agent goose is not available: no job process is running/) });
    const [after] = await app.db.select().from(schedule).where(eq(schedule.id, id));
    expect(after!.lastError).toMatch(/ACP agent goose is not available/);
    expect(after!.lastRunId).toBe(runId);
    expect(await app.db.select().from(run).where(eq(run.acpAgent, "goose"))).toHaveLength(1);
  });

  it("checks the executor again when a disabled schedule is switched back on", async () => {
    await advertise([{ name: "agent", available: true }]);
    const res = await create({ ...base, name: "agent", executor: "agent", prompt: "tidy up" });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await setEnabled(id, false)).status).toBe(200);
    await withdraw();
    const refused = await setEnabled(id, true);
    expect(refused.status).toBe(422);
    expect((await errorOf(refused)).message).toMatch(/the schedule can be enabled once a job process offers it/);
    const app = await getApp();
    const [row] = await app.db.select().from(schedule).where(eq(schedule.id, id));
    expect(row!.enabled).toBe(false);
    expect(await app.schedulesQueue.getJobScheduler(id)).toBeUndefined();

    await advertise([{ name: "agent", available: true }]);
    expect((await setEnabled(id, true)).status).toBe(200);
    // Disabling never needs a job process.
    await withdraw();
    expect((await setEnabled(id, false)).status).toBe(200);
  });
});
