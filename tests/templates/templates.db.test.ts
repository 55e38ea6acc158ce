import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteTemplateRoute, GET as getTemplateRoute, PATCH as patchTemplateRoute } from "@/app/api/templates/[id]/route";
import { POST as startRoute } from "@/app/api/templates/[id]/runs/route";
import { GET as listTemplatesRoute, POST as createTemplateRoute } from "@/app/api/templates/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { PATCH as patchScheduleRoute } from "@/app/api/schedules/[id]/route";
import { GET as listSchedulesRoute, POST as createScheduleRoute } from "@/app/api/schedules/route";
import { auditEvent, run, schedule } from "@/lib/db/schema";
import { runScheduleTick } from "@/lib/services/scheduleTick";
import { startRunFromTemplate } from "@/lib/services/templates";
import { advertiseWorker, withdrawWorker } from "@/lib/workerDirectory";
import { call, createTokenFor, getApp, otherTeam, principalFor, registerRepo, signUp, signUpInto, type Session } from "../support/web";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
type TemplateJson = { id: string; name: string; repo: string | null; run: Record<string, unknown>; variables: { name: string; required: boolean; default?: string }[]; createdByEmail: string | null };
type RunJson = { id: string; prompt: string; executor: string; command: string | null; maxTurns: number; timeoutSec: number; approvalMode: string; priority: string; model: string | null; baseBranch: string; templateId: string | null };

const issueTemplate = {
  name: "Fix an issue",
  repo: "demo",
  prompt: "Fix issue #{{issue.number}}: {{issue.title}}\n\n{{ issue.body }}\n\nBe {{tone}}.",
  variables: [
    { name: "issue.number", required: true },
    { name: "issue.title", required: true, description: "the issue's title" },
    { name: "issue.body" },
    { name: "tone", default: "brief" },
  ],
  approvalMode: "all",
  maxTurns: 12,
  timeoutSec: 600,
  priority: "high",
  model: "claude-test-model",
};

const ADVERT = { name: "templates-worker", startedAt: new Date().toISOString(), concurrency: 1, activeRuns: 0, sandbox: "on" as const };

describe("run templates", () => {
  let owner: Session;
  let alice: Session;
  let mia: Session;
  let vic: Session;
  let bob: Session;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-tpl-repo-"));

  const create = (as: Session | string, body: Record<string, unknown>) => call(createTemplateRoute, "/api/templates", { as, body });
  async function created(as: Session, body: Record<string, unknown>): Promise<TemplateJson> {
    const res = await create(as, body);
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as TemplateJson;
  }
  const patch = (as: Session, id: string, body: Record<string, unknown>) =>
    call(patchTemplateRoute, `/api/templates/${id}`, { as, method: "PATCH", body, params: { id } });
  const remove = (as: Session, id: string) => call(deleteTemplateRoute, `/api/templates/${id}`, { as, method: "DELETE", params: { id } });
  const start = (as: Session | string, id: string, variables: unknown, headers: Record<string, string> = {}) =>
    call(startRoute, `/api/templates/${id}/runs`, { as, body: { variables }, params: { id }, headers });
  const issuesOf = async (res: Response) => ((await res.json()) as ErrorBody).error.issues?.map((i) => i.path) ?? [];

  beforeAll(async () => {
    owner = await signUp("tpl-owner@example.com");
    alice = await signUpInto(owner, "member");
    mia = await signUpInto(owner, "member");
    vic = await signUpInto(owner, "viewer");
    bob = (await otherTeam()).owner;
    expect((await registerRepo(owner, { name: "demo", url: repoDir })).status).toBe(201);
    expect((await registerRepo(bob, { name: "demo", url: repoDir })).status).toBe(201);
    const app = await getApp();
    // Agent runs need a job process offering the agent executor.
    await advertiseWorker(app.redis, app.config.redisPrefix, { ...ADVERT, executors: [{ name: "agent", available: true }] });
  });

  afterAll(async () => {
    const app = await getApp();
    await withdrawWorker(app.redis, app.config.redisPrefix, ADVERT.name);
  });

  describe("saving", () => {
    it.each([
      [{ ...issueTemplate, name: "" }, "name", 400],
      [{ ...issueTemplate, prompt: "Fix {{issue.titel}}" }, "prompt", 400],
      [{ ...issueTemplate, variables: [{ name: "bad name" }] }, "variables.0.name", 400],
      [{ ...issueTemplate, variables: [{ name: "x" }, { name: "x" }] }, "variables.1.name", 400],
      [{ ...issueTemplate, variables: [...issueTemplate.variables, { name: "y", required: true, default: "d" }] }, "variables.4.default", 400],
      [{ ...issueTemplate, maxTurns: 0 }, "maxTurns", 400],
      [{ ...issueTemplate, timeoutSec: 10_000_000 }, "timeoutSec", 400],
      [{ name: "cli", repo: "demo", executor: "cli" }, "command", 400],
      [{ name: "cli", repo: "demo", command: "make", model: "x" }, "model", 400],
      [{ ...issueTemplate, repo: "nope" }, "repo", 422],
      // A saved configuration cannot wait for fixed runs (every later start would wait on them).
      [{ ...issueTemplate, dependsOn: ["00000000-0000-4000-8000-000000000000"] }, "dependsOn", 400],
    ])("refuses %j naming the field", async (body, field, status) => {
      const res = await create(alice, body);
      expect(res.status).toBe(status);
      expect(await issuesOf(res)).toContain(field);
    });

    it("creates, lists by name, reads, and refuses a second template of the same name in the team", async () => {
      const t = await created(alice, issueTemplate);
      expect(t).toMatchObject({ name: "Fix an issue", repo: "demo", createdByEmail: alice.email });
      expect(t.run).toMatchObject({ executor: "agent", approvalMode: "all", maxTurns: 12, timeoutSec: 600, priority: "high", model: "claude-test-model", prompt: issueTemplate.prompt });
      expect(t.run).not.toHaveProperty("repo");
      expect(t.variables.map((v) => v.name)).toEqual(["issue.number", "issue.title", "issue.body", "tone"]);

      const again = await create(mia, issueTemplate);
      expect(again.status).toBe(409);
      expect(await issuesOf(again)).toEqual(["name"]);
      // Another team may use the name.
      await created(bob, issueTemplate);

      const list = (await (await call(listTemplatesRoute, "/api/templates", { as: vic })).json()) as { templates: TemplateJson[] };
      expect(list.templates.map((x) => x.id)).toContain(t.id);
      const got = await call(getTemplateRoute, `/api/templates/${t.id}`, { as: vic, params: { id: t.id } });
      expect(got.status).toBe(200);

      const app = await getApp();
      const audit = await app.db.select().from(auditEvent).where(and(eq(auditEvent.subjectId, t.id), eq(auditEvent.action, "template.create")));
      expect(audit).toHaveLength(1);
      expect(audit[0]!.details).toEqual({ repo: "demo", executor: "agent", variables: ["issue.number", "issue.title", "issue.body", "tone"] });
    });

    it("changes only the fields given, validated as a whole, and audits what changed", async () => {
      const t = await created(alice, { ...issueTemplate, name: "to change" });
      const res = await patch(alice, t.id, { maxTurns: 30, description: "for bugs" });
      expect(res.status, await res.clone().text()).toBe(200);
      const changed = (await res.json()) as TemplateJson;
      expect(changed.run).toMatchObject({ maxTurns: 30, approvalMode: "all", model: "claude-test-model" });

      // A switch to a shell command drops the agent-only model; null clears a field.
      const cli = await patch(alice, t.id, { executor: "cli", command: "make test" });
      expect(cli.status, await cli.clone().text()).toBe(200);
      expect(((await cli.json()) as TemplateJson).run).not.toHaveProperty("model");

      const bad = await patch(alice, t.id, { prompt: "{{nope}}", executor: "agent" });
      expect(bad.status).toBe(400);
      expect(await issuesOf(bad)).toEqual(["prompt"]);
      const taken = await patch(alice, t.id, { name: "Fix an issue" });
      expect(taken.status).toBe(409);

      const app = await getApp();
      const audits = await app.db.select().from(auditEvent).where(and(eq(auditEvent.subjectId, t.id), eq(auditEvent.action, "template.update")));
      expect(audits.map((a) => (a.details as { changed: string[] }).changed)).toEqual([
        ["description", "maxTurns"],
        ["command", "executor", "model"],
      ]);
    });
  });

  describe("who may do what", () => {
    it("viewers read; members change their own; admins change anyone's; another team gets 404", async () => {
      const t = await created(alice, { ...issueTemplate, name: "roles" });
      expect((await create(vic, { ...issueTemplate, name: "viewer's" })).status).toBe(403);
      expect((await patch(vic, t.id, { maxTurns: 2 })).status).toBe(403);
      expect((await patch(mia, t.id, { maxTurns: 2 })).status).toBe(403);
      expect((await remove(mia, t.id)).status).toBe(403);
      expect((await start(vic, t.id, { "issue.number": 1, "issue.title": "x" })).status).toBe(403);

      const bobToken = await createTokenFor(bob);
      for (const as of [bob, bobToken]) {
        expect((await call(getTemplateRoute, `/api/templates/${t.id}`, { as, params: { id: t.id } })).status).toBe(404);
        expect((await start(as, t.id, { "issue.number": 1, "issue.title": "x" })).status).toBe(404);
      }
      expect((await patch(bob, t.id, { maxTurns: 2 })).status).toBe(404);
      expect((await remove(bob, t.id)).status).toBe(404);
      const bobs = (await (await call(listTemplatesRoute, "/api/templates", { as: bob })).json()) as { templates: TemplateJson[] };
      expect(bobs.templates.map((x) => x.id)).not.toContain(t.id);
      expect((await call(getTemplateRoute, "/api/templates/x", { as: alice, params: { id: "x" } })).status).toBe(404);

      expect((await patch(owner, t.id, { maxTurns: 3 })).status).toBe(200);
      expect((await remove(owner, t.id)).status).toBe(204);
      expect((await call(getTemplateRoute, `/api/templates/${t.id}`, { as: alice, params: { id: t.id } })).status).toBe(404);
    });

    it("a read token reads but does not save or start", async () => {
      const t = await created(alice, { ...issueTemplate, name: "tokens" });
      const { POST: tokenPost } = await import("@/app/api/tokens/route");
      const made = await call(tokenPost, "/api/tokens", { as: alice, body: { name: "ro", scope: "read" } });
      const readToken = ((await made.json()) as { token: string }).token;
      expect((await call(getTemplateRoute, `/api/templates/${t.id}`, { as: readToken, params: { id: t.id } })).status).toBe(200);
      expect((await create(readToken, { ...issueTemplate, name: "by token" })).status).toBe(403);
      expect((await start(readToken, t.id, { "issue.number": 1, "issue.title": "x" })).status).toBe(403);
    });
  });

  describe("starting a run", () => {
    let template: TemplateJson;
    beforeAll(async () => {
      template = await created(alice, { ...issueTemplate, name: "to start" });
    });

    it("renders the prompt and takes the template's settings", async () => {
      const res = await start(mia, template.id, { "issue.number": 42, "issue.title": "Crash on start", "issue.body": "Stack trace…" });
      expect(res.status, await res.clone().text()).toBe(201);
      const made = (await res.json()) as RunJson;
      expect(made.prompt).toBe("Fix issue #42: Crash on start\n\nStack trace…\n\nBe brief.");
      expect(made).toMatchObject({ executor: "agent", approvalMode: "all", maxTurns: 12, timeoutSec: 600, priority: "high", model: "claude-test-model", templateId: template.id });
      const app = await getApp();
      const [row] = await app.db.select().from(run).where(eq(run.id, made.id));
      expect(row).toMatchObject({ userId: mia.userId, templateId: template.id, prompt: made.prompt });
      expect(await app.queue.getJob(made.id)).toBeDefined();
    });

    it("is named on the run it made, and as deleted once it is gone", async () => {
      const named = await created(alice, { ...issueTemplate, name: "named on the run" });
      const res = await start(mia, named.id, { "issue.number": 7, "issue.title": "Typo" });
      expect(res.status, await res.clone().text()).toBe(201);
      const made = (await res.json()) as RunJson;
      const lineage = async () => {
        const got = await call(getRunRoute, `/api/runs/${made.id}`, { as: vic, params: { id: made.id } });
        expect(got.status).toBe(200);
        return ((await got.json()) as { lineage: { template: unknown } }).lineage.template;
      };
      expect(await lineage()).toEqual({ id: named.id, name: "named on the run", deleted: false });
      expect((await remove(alice, named.id)).status).toBe(204);
      expect(await lineage()).toEqual({ id: named.id, name: null, deleted: true });
    });

    it("refuses missing required and unknown variables, naming each, and makes no run", async () => {
      const app = await getApp();
      const before = (await app.db.select({ id: run.id }).from(run).where(eq(run.templateId, template.id))).length;
      const missing = await start(mia, template.id, { "issue.title": "only a title" });
      expect(missing.status).toBe(400);
      expect(await issuesOf(missing)).toEqual(["variables.issue.number"]);
      const unknown = await start(mia, template.id, { "issue.number": 1, "issue.title": "t", "issue.labels": "bug" });
      expect(unknown.status).toBe(400);
      expect(await issuesOf(unknown)).toEqual(["variables.issue.labels"]);
      const wrongType = await start(mia, template.id, { "issue.number": { nested: true }, "issue.title": "t" });
      expect(wrongType.status).toBe(400);
      expect((await issuesOf(wrongType))[0]).toMatch(/^variables\.issue\.number/);
      expect((await app.db.select({ id: run.id }).from(run).where(eq(run.templateId, template.id))).length).toBe(before);
    });

    it("puts values in as text: a value with placeholders is not rendered again", async () => {
      const res = await start(mia, template.id, { "issue.number": "{{tone}}", "issue.title": "$& {{issue.body}}", "issue.body": "{{ issue.title }}", tone: "x" });
      expect(res.status, await res.clone().text()).toBe(201);
      expect(((await res.json()) as RunJson).prompt).toBe("Fix issue #{{tone}}: $& {{issue.body}}\n\n{{ issue.title }}\n\nBe x.");
    });

    it("refuses a rendered prompt longer than a run allows, naming the prompt", async () => {
      const big = "x".repeat(19_000);
      const t = await created(alice, {
        name: "big",
        repo: "demo",
        prompt: Array.from({ length: 6 }, (_, i) => `{{v${i}}}`).join(""),
        variables: Array.from({ length: 6 }, (_, i) => ({ name: `v${i}` })),
      });
      const res = await start(mia, t.id, Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`v${i}`, big])));
      expect(res.status).toBe(400);
      expect(await issuesOf(res)).toEqual(["prompt"]);
    });

    it("is idempotent by key, as POST /api/runs is", async () => {
      const vars = { "issue.number": 7, "issue.title": "Twice" };
      const first = await start(mia, template.id, vars, { "Idempotency-Key": "tpl-key-1" });
      const second = await start(mia, template.id, vars, { "Idempotency-Key": "tpl-key-1" });
      expect(first.status).toBe(201);
      expect(second.headers.get("Idempotent-Replayed")).toBe("true");
      expect(((await second.json()) as RunJson).id).toBe(((await first.json()) as RunJson).id);
      const other = await start(mia, template.id, { ...vars, "issue.title": "Other" }, { "Idempotency-Key": "tpl-key-1" });
      expect(other.status).toBe(422);
      // The service, as webhooks call it, with a derived run id: one run per delivery.
      const app = await getApp();
      const p = await principalFor(mia);
      const a = await startRunFromTemplate(app, p, template.id, vars, { runId: "00000000-0000-5000-8000-000000000042" });
      const b = await startRunFromTemplate(app, p, template.id, vars, { runId: "00000000-0000-5000-8000-000000000042" });
      expect(b).toMatchObject({ replayed: true, run: { id: a.run.id } });
    });

    it("says so when the template's repository was removed", async () => {
      expect((await registerRepo(owner, { name: "doomed", url: repoDir })).status).toBe(201);
      const t = await created(alice, { name: "orphan", repo: "doomed", executor: "cli", command: "make" });
      const app = await getApp();
      const { repository } = await import("@/lib/db/schema");
      await app.db.delete(repository).where(eq(repository.name, "doomed"));
      const got = (await (await call(getTemplateRoute, `/api/templates/${t.id}`, { as: alice, params: { id: t.id } })).json()) as TemplateJson;
      expect(got.repo).toBeNull();
      const res = await start(alice, t.id, {});
      expect(res.status).toBe(409);
      expect(((await res.json()) as ErrorBody).error.message).toMatch(/no longer registered/);
    });
  });

  describe("schedules from a template", () => {
    type ScheduleJson = { id: string; enabled: boolean; lastError: string | null; fromTemplate: { id: string | null; name: string | null; variables: Record<string, string> } | null };
    const cliTemplate = { repo: "demo", executor: "cli", command: "make check", prompt: "Nightly check of {{area}}", variables: [{ name: "area", required: true }], timeoutSec: 300 };
    const schedule_ = (as: Session, body: Record<string, unknown>) => call(createScheduleRoute, "/api/schedules", { as, body });

    it("refuses an unknown template, another team's, and missing or unknown variables, naming the field", async () => {
      const t = await created(alice, { ...cliTemplate, name: "sched refusals" });
      const base = { name: "s", cron: "0 3 * * *" };
      for (const [body, field, status] of [
        [{ ...base, templateId: "nope", variables: { area: "x" } }, "templateId", 422],
        [{ ...base, templateId: t.id, variables: {} }, "variables.area", 400],
        [{ ...base, templateId: t.id, variables: { area: "x", zone: "y" } }, "variables.zone", 400],
        [{ ...base, cron: "bad", templateId: t.id, variables: { area: "x" } }, "cron", 400],
        [{ ...base, repo: "demo", command: "make", dependsOn: ["00000000-0000-4000-8000-000000000000"] }, "dependsOn", 400],
      ] as const) {
        const res = await schedule_(alice, body);
        expect(res.status, await res.clone().text()).toBe(status);
        expect(await issuesOf(res)).toContain(field);
      }
      expect((await schedule_(bob, { ...base, templateId: t.id, variables: { area: "x" } })).status).toBe(422);
    });

    it("fires with the template as it is at the tick, rendered with the schedule's values", async () => {
      const t = await created(alice, { ...cliTemplate, name: "nightly" });
      const res = await schedule_(mia, { name: "nightly api", cron: "0 3 * * *", templateId: t.id, variables: { area: "the API" } });
      expect(res.status, await res.clone().text()).toBe(201);
      const s = (await res.json()) as ScheduleJson;
      expect(s.fromTemplate).toEqual({ id: t.id, name: "nightly", variables: { area: "the API" } });

      const app = await getApp();
      const first = await runScheduleTick(app, s.id, "tpl-tick-1");
      expect(first.kind, JSON.stringify(first)).toBe("created");
      const [made] = await app.db.select().from(run).where(eq(run.id, first.kind === "created" ? first.runId : ""));
      expect(made).toMatchObject({ userId: mia.userId, command: "make check", prompt: "Nightly check of the API", timeoutSec: 300, templateId: t.id, scheduleId: s.id });

      // The template changes: the next tick runs the new settings.
      expect((await patch(alice, t.id, { command: "make lint", prompt: "Lint {{area}}" })).status).toBe(200);
      const second = await runScheduleTick(app, s.id, "tpl-tick-2");
      const [next] = await app.db.select().from(run).where(eq(run.id, second.kind === "created" ? second.runId : ""));
      expect(next).toMatchObject({ command: "make lint", prompt: "Lint the API" });

      // A template change the schedule's values no longer satisfy: recorded, no run.
      expect((await patch(alice, t.id, { variables: [{ name: "area", required: true }, { name: "owner", required: true }], prompt: "{{area}} {{owner}}" })).status).toBe(200);
      expect(await runScheduleTick(app, s.id, "tpl-tick-3")).toMatchObject({ kind: "refused", error: expect.stringMatching(/variables\.owner: is required/) });
    });

    it("is switched off with the reason when its template is deleted, and cannot be switched back on", async () => {
      const t = await created(alice, { ...cliTemplate, name: "doomed template" });
      const s = (await (await schedule_(alice, { name: "doomed schedule", cron: "0 4 * * *", templateId: t.id, variables: { area: "docs" } })).json()) as ScheduleJson;
      const app = await getApp();
      expect(await app.schedulesQueue.getJobScheduler(s.id)).toBeDefined();

      expect((await remove(alice, t.id)).status).toBe(204);
      expect(await app.schedulesQueue.getJobScheduler(s.id)).toBeUndefined();
      const [row] = await app.db.select().from(schedule).where(eq(schedule.id, s.id));
      expect(row).toMatchObject({ enabled: false, templateId: null });
      expect(row!.lastError).toMatch(/"doomed template" was deleted/);
      const listed = (await (await call(listSchedulesRoute, "/api/schedules", { as: alice })).json()) as { schedules: ScheduleJson[] };
      expect(listed.schedules.find((x) => x.id === s.id)?.fromTemplate).toEqual({ id: null, name: null, variables: { area: "docs" } });

      const on = await call(patchScheduleRoute, `/api/schedules/${s.id}`, { as: alice, method: "PATCH", body: { enabled: true }, params: { id: s.id } });
      expect(on.status).toBe(409);
      expect(await app.schedulesQueue.getJobScheduler(s.id)).toBeUndefined();
      // A tick already queued makes no run (and never falls back to the schedule's own empty fields).
      await app.db.update(schedule).set({ enabled: true }).where(eq(schedule.id, s.id));
      expect(await runScheduleTick(app, s.id)).toMatchObject({ kind: "refused", error: "its run template was deleted" });

      const audit = await app.db.select().from(auditEvent).where(and(eq(auditEvent.subjectId, t.id), eq(auditEvent.action, "template.delete")));
      expect((audit[0]!.details as { schedulesDisabled: string[] }).schedulesDisabled).toEqual([s.id]);
    });
  });
});
