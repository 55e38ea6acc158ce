import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as followUpRoute } from "@/app/api/runs/[id]/follow-up/route";
import { POST as rerunRoute } from "@/app/api/runs/[id]/rerun/route";
import { POST as retryRoute } from "@/app/api/runs/[id]/retry/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { GET as settingsRoute } from "@/app/api/runs/[id]/settings/route";
import { POST as createRunRoute } from "@/app/api/runs/route";
import { POST as createScheduleRoute } from "@/app/api/schedules/route";
import { DELETE as deleteScheduleRoute } from "@/app/api/schedules/[id]/route";
import { appendEvent } from "@/lib/eventLog";
import type { EventBodyInput } from "@/lib/events";
import type { RunJobPayload } from "@/lib/queue";
import { startRecorder, type Recorder } from "@/lib/recorder";
import { newRunFormOptions } from "@/lib/services/newRunForm";
import { runScheduleTick } from "@/lib/services/scheduleTick";
import { advertiseTestWorker, withdrawTestWorker } from "../support/adverts";
import { call, getApp, otherTeam, principalFor, registerRepo, signUp, type Session } from "../support/web";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
type Lineage = {
  origin: { kind: string; runId: string; title: string | null } | null;
  schedule: { id: string; name: string | null } | null;
  derived: { kind: string; runId: string; title: string; status: string }[];
};
type RunJson = Record<string, unknown> & { id: string; userId: string; status: string; branch: string; title: string; lineage?: Lineage };

const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;
const WORKER = "follow-ons-test-worker";

// Everything a person chose when submitting: what re-run, retry and duplicate must carry over.
const SETTINGS = ["repo", "baseBranch", "executor", "acpAgent", "command", "prompt", "approvalMode", "model", "maxTurns", "budgetUsd", "timeoutSec", "inputTimeoutSec", "priority"] as const;

describe("re-run, retry, follow-up and duplicate of a run", () => {
  let admin: Session;
  let alice: Session;
  let bob: Session;
  let recorder: Recorder;
  const plainDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-followons-"));

  const submit = async (body: Record<string, unknown>, as: Session = alice) => {
    const res = await call(createRunRoute, "/api/runs", { as, body });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as RunJson;
  };
  const post = (handler: typeof rerunRoute, what: string, id: string, as?: Session, body?: unknown, headers?: Record<string, string>) =>
    call(handler, `/api/runs/${id}/${what}`, { as, method: "POST", params: { id }, body, headers });
  const getRun = async (id: string, as: Session = alice) => (await (await call(getRunRoute, `/api/runs/${id}`, { as, params: { id } })).json()) as RunJson;
  const jobOf = async (id: string) => (await (await getApp()).queue.getJob(id))?.data as RunJobPayload | undefined;

  /** Plays a job process that took the run and reported `events`; waits until they are recorded. */
  async function playRun(id: string, ...events: EventBodyInput[]) {
    const app = await getApp();
    await app.queue.remove(id);
    for (const body of [{ type: "run.started", attempt: 1, worker: "test:1" } as const, ...events]) await appendEvent(app.eventLog, id, body);
    await recorder.settle();
  }
  const finish = (id: string) => playRun(id, { type: "run.completed", reason: "nothing to review" });
  const fail = (id: string) => playRun(id, { type: "run.failed", error: "the model API is overloaded (529)" });
  async function push(run: RunJson) {
    await playRun(run.id, { type: "run.awaiting_review", branch: run.branch, headSha: "c".repeat(40) }, { type: "push.started", remote: "origin", branch: run.branch }, { type: "push.finished", ok: true, remote: "origin", branch: run.branch });
    expect((await getRun(run.id)).status).toBe("pushed");
  }

  beforeAll(async () => {
    admin = await signUp("followons-admin@example.com");
    alice = await signUp("followons-alice@example.com");
    // Bob works in another team.
    bob = (await otherTeam()).owner;
    expect((await registerRepo(admin, { name: "app", url: plainDir, defaultBranch: "main" })).status).toBe(201);
    const app = await getApp();
    recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100 });
  });
  beforeAll(() =>
    advertiseTestWorker(WORKER, [
      { name: "cli", available: true },
      { name: "agent", available: true },
      { name: "claude-code", available: true },
    ]),
  );
  afterAll(async () => {
    await withdrawTestWorker(WORKER);
    await recorder?.stop();
  });

  const agentSettings = {
    repo: "app",
    baseBranch: "release/1.2",
    prompt: "fix the flaky date test",
    executor: "agent",
    approvalMode: "all",
    model: "claude-haiku-4-5",
    maxTurns: 12,
    budgetUsd: 2.5,
    timeoutSec: 900,
    inputTimeoutSec: 600,
    priority: "high",
  };

  describe("new run limits", () => {
    it("stores model, max turns and budget and hands them to the job", async () => {
      const created = await submit(agentSettings);
      expect(created).toMatchObject({ model: "claude-haiku-4-5", maxTurns: 12, budgetUsd: 2.5, origin: null, scheduleId: null });
      expect(await jobOf(created.id)).toMatchObject({ model: "claude-haiku-4-5", maxTurns: 12, budgetUsd: 2.5 });
      // No budget given: the job process's AGENT_BUDGET_USD applies (null in the job).
      const plain = await submit({ repo: "app", prompt: "tidy up" });
      expect(plain.budgetUsd).toBeNull();
      expect((await jobOf(plain.id))?.budgetUsd).toBeNull();
    });

    it.each([
      [{ maxTurns: 0 }, "maxTurns"],
      [{ maxTurns: 1001 }, "maxTurns"],
      [{ maxTurns: "many" }, "maxTurns"],
      [{ budgetUsd: 0 }, "budgetUsd"],
      [{ budgetUsd: -1 }, "budgetUsd"],
      [{ budgetUsd: "lots" }, "budgetUsd"],
      [{ budgetUsd: 1_000_000 }, "budgetUsd"],
      [{ model: "" }, "model"],
      [{ model: "x".repeat(201) }, "model"],
      [{ executor: "cli", command: "make", budgetUsd: 3 }, "budgetUsd"],
      [{ baseBranch: "bad..branch" }, "baseBranch"],
    ])("refuses %j with a 400 naming the field", async (change, field) => {
      const res = await call(createRunRoute, "/api/runs", { as: alice, body: { ...agentSettings, ...change } });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).issues?.map((i) => i.path)).toContain(field);
    });
  });

  describe("re-run", () => {
    it("makes a new run with exactly the same settings from a finished run, linked both ways", async () => {
      const original = await submit(agentSettings);
      await finish(original.id);
      const res = await post(rerunRoute, "rerun", original.id, alice);
      expect(res.status).toBe(201);
      const again = (await res.json()) as RunJson;
      expect(again.id).not.toBe(original.id);
      for (const field of SETTINGS) expect(again[field], field).toEqual(original[field]);
      expect(again).toMatchObject({ status: "queued", userId: alice.userId, origin: { kind: "rerun", runId: original.id } });
      expect(await jobOf(again.id)).toMatchObject({ baseBranch: "release/1.2", model: "claude-haiku-4-5", maxTurns: 12, budgetUsd: 2.5, approvalMode: "all" });

      expect((await getRun(again.id)).lineage).toMatchObject({ origin: { kind: "rerun", runId: original.id, title: original.title }, schedule: null, derived: [] });
      expect((await getRun(original.id)).lineage?.derived).toEqual([expect.objectContaining({ kind: "rerun", runId: again.id, status: "queued" })]);

      // Any number of re-runs; a repeated request with the same key is the same run.
      const keyed = await post(rerunRoute, "rerun", original.id, alice, undefined, { "Idempotency-Key": "k-1" });
      const repeated = await post(rerunRoute, "rerun", original.id, alice, undefined, { "Idempotency-Key": "k-1" });
      expect(repeated.headers.get("Idempotent-Replayed")).toBe("true");
      expect(((await repeated.json()) as RunJson).id).toBe(((await keyed.json()) as RunJson).id);
      expect((await getRun(original.id)).lineage?.derived).toHaveLength(2);
    });

    it("re-runs failed and cancelled runs too, but not one still under way or awaiting review (409)", async () => {
      const failed = await submit({ repo: "app", command: "make check" });
      await fail(failed.id);
      expect((await post(rerunRoute, "rerun", failed.id, alice)).status).toBe(201);

      const queued = await submit({ repo: "app", command: "true" });
      const refused = await post(rerunRoute, "rerun", queued.id, alice);
      expect(refused.status).toBe(409);
      expect((await errorOf(refused)).message).toBe("The run is queued; a run can be re-run once it has ended");

      const reviewing = await submit({ repo: "app", command: "echo hi > hi.txt" });
      await playRun(reviewing.id, { type: "run.awaiting_review", branch: reviewing.branch, headSha: "b".repeat(40) });
      expect((await post(rerunRoute, "rerun", reviewing.id, alice)).status).toBe(409);
    });

    it("hides another team's run (404) and lets a team admin re-run it as their own", async () => {
      const original = await submit({ repo: "app", command: "make lint" });
      await finish(original.id);
      const foreign = await post(rerunRoute, "rerun", original.id, bob);
      expect(foreign.status).toBe(404);
      expect((await errorOf(foreign)).message).toBe("Run not found");
      expect((await post(rerunRoute, "rerun", original.id)).status).toBe(401);
      const byAdmin = await post(rerunRoute, "rerun", original.id, admin);
      expect(byAdmin.status).toBe(201);
      const adminRun = (await byAdmin.json()) as RunJson;
      expect(adminRun.userId).toBe(admin.userId);
      // Both see the admin's run among the runs made from the original: it is the team's.
      expect((await getRun(original.id, alice)).lineage?.derived.map((d) => d.runId)).toEqual([adminRun.id]);
      expect((await getRun(original.id, admin)).lineage?.derived.map((d) => d.runId)).toEqual([adminRun.id]);
    });
  });

  describe("retry", () => {
    it("links the retry and its original both ways", async () => {
      const original = await submit(agentSettings);
      await fail(original.id);
      const retried = (await (await post(retryRoute, "retry", original.id, alice)).json()) as RunJson;
      for (const field of SETTINGS) expect(retried[field], field).toEqual(original[field]);
      expect(retried.origin).toEqual({ kind: "retry", runId: original.id });
      expect((await getRun(retried.id)).lineage?.origin).toEqual({ kind: "retry", runId: original.id, title: original.title });
      expect((await getRun(original.id)).lineage?.derived).toEqual([
        expect.objectContaining({ kind: "retry", runId: retried.id, title: original.title, status: "queued" }),
      ]);
    });
  });

  describe("follow-up", () => {
    it("starts a new run from a pushed run's branch with a new task and the same settings", async () => {
      const original = await submit(agentSettings);
      await push(original);
      const res = await post(followUpRoute, "follow-up", original.id, alice, { prompt: "now add a test for the fix" });
      expect(res.status, await res.clone().text()).toBe(201);
      const next = (await res.json()) as RunJson;
      expect(next).toMatchObject({
        baseBranch: original.branch,
        prompt: "now add a test for the fix",
        executor: "agent",
        model: "claude-haiku-4-5",
        maxTurns: 12,
        budgetUsd: 2.5,
        approvalMode: "all",
        priority: "high",
        origin: { kind: "follow_up", runId: original.id },
      });
      expect(next.branch).not.toBe(original.branch);
      expect((await jobOf(next.id))?.baseBranch).toBe(original.branch);
      expect((await getRun(original.id)).lineage?.derived).toEqual([expect.objectContaining({ kind: "follow_up", runId: next.id })]);
    });

    it("needs a new task (agents) or command (shell), naming the field", async () => {
      const agentRun = await submit(agentSettings);
      await push(agentRun);
      const noPrompt = await post(followUpRoute, "follow-up", agentRun.id, alice, {});
      expect(noPrompt.status).toBe(400);
      expect((await errorOf(noPrompt)).issues?.map((i) => i.path)).toEqual(["prompt"]);
      const commandOnAgent = await post(followUpRoute, "follow-up", agentRun.id, alice, { prompt: "x", command: "ls" });
      expect(commandOnAgent.status).toBe(400);
      expect((await errorOf(commandOnAgent)).issues?.map((i) => i.path)).toEqual(["command"]);

      const shell = await submit({ repo: "app", command: "npm run format", prompt: "format" });
      await push(shell);
      const noCommand = await post(followUpRoute, "follow-up", shell.id, alice, { prompt: "again" });
      expect(noCommand.status).toBe(400);
      expect((await errorOf(noCommand)).issues?.map((i) => i.path)).toEqual(["command"]);
      const ok = await post(followUpRoute, "follow-up", shell.id, alice, { command: "npm run lint -- --fix" });
      expect(ok.status).toBe(201);
      expect((await ok.json()) as RunJson).toMatchObject({ command: "npm run lint -- --fix", baseBranch: shell.branch, prompt: "" });
    });

    it("refuses a run whose branch is not on the remote (409) and hides another user's run (404)", async () => {
      const finished = await submit(agentSettings);
      await finish(finished.id);
      const refused = await post(followUpRoute, "follow-up", finished.id, alice, { prompt: "more" });
      expect(refused.status).toBe(409);
      expect((await errorOf(refused)).message).toMatch(/^The run is completed; only a pushed run's branch can be followed up/);

      const pushed = await submit(agentSettings);
      await push(pushed);
      expect((await post(followUpRoute, "follow-up", pushed.id, bob, { prompt: "mine now" })).status).toBe(404);
    });
  });

  describe("duplicate", () => {
    it("gives a visible run's settings as a POST /api/runs body, and 404 for another team's run", async () => {
      const original = await submit(agentSettings);
      const res = await call(settingsRoute, `/api/runs/${original.id}/settings`, { as: alice, params: { id: original.id } });
      expect(res.status).toBe(200);
      const { from, settings } = (await res.json()) as { from: string; settings: Record<string, unknown> };
      expect(from).toBe(original.id);
      expect(settings).toEqual(agentSettings);
      // Posting it back makes a run with the same settings.
      const copy = await submit(settings);
      for (const field of SETTINGS) expect(copy[field], field).toEqual(original[field]);

      expect((await call(settingsRoute, `/api/runs/${original.id}/settings`, { as: bob, params: { id: original.id } })).status).toBe(404);
      expect((await call(settingsRoute, `/api/runs/x/settings`, { as: alice, params: { id: "x" } })).status).toBe(404);
    });

    it("prefills the New run form for a visible run only", async () => {
      const app = await getApp();
      const original = await submit({ repo: "app", command: "make docs", prompt: "docs" });
      const mine = await newRunFormOptions(app, await principalFor(alice), original.id);
      expect(mine.prefill).toMatchObject({ from: original.id, repo: "app", executor: "cli", command: "make docs", prompt: "docs" });
      expect(mine.models[0]).toBe(app.config.agentModel);
      expect(mine.models).toContain("claude-haiku-4-5");
      const theirs = await newRunFormOptions(app, await principalFor(bob), original.id);
      expect(theirs).toMatchObject({ prefill: null, prefillError: "The run to duplicate was not found; the form starts empty." });
    });
  });

  describe("schedule link", () => {
    it("records the schedule that made a run, and shows its name to those who may see it", async () => {
      const res = await call(createScheduleRoute, "/api/schedules", { as: alice, body: { name: "nightly lint", repo: "app", cron: "0 3 * * *", command: "make lint" } });
      expect(res.status, await res.clone().text()).toBe(201);
      const schedule = (await res.json()) as { id: string };
      const outcome = await runScheduleTick(await getApp(), schedule.id, "tick-1");
      const runId = outcome.kind === "created" ? outcome.runId : "";
      const made = await getRun(runId);
      expect(made.scheduleId).toBe(schedule.id);
      expect(made.lineage?.schedule).toEqual({ id: schedule.id, name: "nightly lint", deleted: false });
      expect((await getRun(runId, admin)).lineage?.schedule).toEqual({ id: schedule.id, name: "nightly lint", deleted: false });
      // A run made by hand has none.
      expect((await submit({ repo: "app", command: "true" })).scheduleId).toBeNull();
      // Deleted: the run still says a schedule made it.
      expect((await call(deleteScheduleRoute, `/api/schedules/${schedule.id}`, { as: alice, method: "DELETE", params: { id: schedule.id } })).status).toBeLessThan(300);
      expect((await getRun(runId)).lineage?.schedule).toEqual({ id: schedule.id, name: null, deleted: true });
    });
  });
});
