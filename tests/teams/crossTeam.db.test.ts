import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as cancelRoute from "@/app/api/runs/[id]/cancel/route";
import * as diffRoute from "@/app/api/runs/[id]/diff/route";
import * as runEventsRoute from "@/app/api/runs/[id]/events/route";
import * as followUpRoute from "@/app/api/runs/[id]/follow-up/route";
import * as continueRoute from "@/app/api/runs/[id]/continue/route";
import * as answerRoute from "@/app/api/runs/[id]/inputs/[requestId]/route";
import * as logRoute from "@/app/api/runs/[id]/log/route";
import * as rerunRoute from "@/app/api/runs/[id]/rerun/route";
import * as retryRoute from "@/app/api/runs/[id]/retry/route";
import * as reviewRoute from "@/app/api/runs/[id]/review/route";
import * as runRoute from "@/app/api/runs/[id]/route";
import * as settingsRoute from "@/app/api/runs/[id]/settings/route";
import * as transcriptRoute from "@/app/api/runs/[id]/transcript/route";
import * as reportRoute from "@/app/api/runs/[id]/report/route";
import * as runsRoute from "@/app/api/runs/route";
import * as branchesRoute from "@/app/api/repos/[name]/branches/route";
import * as environmentRoute from "@/app/api/repos/[name]/environment/route";
import * as mcpServerRoute from "@/app/api/repos/[name]/mcp-servers/[server]/route";
import * as mcpServersRoute from "@/app/api/repos/[name]/mcp-servers/route";
import * as repoRoute from "@/app/api/repos/[name]/route";
import * as repoRuleRoute from "@/app/api/repos/[name]/rules/[id]/route";
import * as repoRulesRoute from "@/app/api/repos/[name]/rules/route";
import * as repoTestRoute from "@/app/api/repos/[name]/test/route";
import * as scheduleRoute from "@/app/api/schedules/[id]/route";
import * as templateRoute from "@/app/api/templates/[id]/route";
import * as templateRunsRoute from "@/app/api/templates/[id]/runs/route";
import { POST as createTemplate } from "@/app/api/templates/route";
import * as invitationRoute from "@/app/api/invitations/[id]/route";
import * as memberRoute from "@/app/api/team/members/[userId]/route";
import * as switchTeamRoute from "@/app/api/me/team/route";
import * as endpointRoute from "@/app/api/webhooks/endpoints/[id]/route";
import * as inboundListRoute from "@/app/api/repos/[name]/webhooks/route";
import * as inboundRoute from "@/app/api/repos/[name]/webhooks/[id]/route";
import * as inboundRotateRoute from "@/app/api/repos/[name]/webhooks/[id]/rotate/route";
import * as inboundDeliveriesRoute from "@/app/api/repos/[name]/webhooks/[id]/deliveries/route";
import * as endpointRotateRoute from "@/app/api/webhooks/endpoints/[id]/rotate/route";
import * as endpointPingRoute from "@/app/api/webhooks/endpoints/[id]/ping/route";
import * as endpointDeliveriesRoute from "@/app/api/webhooks/endpoints/[id]/deliveries/route";
import * as endpointResendRoute from "@/app/api/webhooks/endpoints/[id]/deliveries/[deliveryId]/resend/route";
import { POST as createSchedule } from "@/app/api/schedules/route";
import { POST as createInvitation } from "@/app/api/invitations/route";
import { GET as userEvents } from "@/app/api/events/route";
import { GET as listInputs } from "@/app/api/inputs/route";
import { createRunEmitter } from "@/jobs/emit";
import { requestHumanInput } from "@/jobs/humanInput";
import { appendEvent, createEventLog, readRunEvents, type EventLog } from "@/lib/eventLog";
import { projectEvent } from "@/lib/projection";
import { startRecorder, type Recorder } from "@/lib/recorder";
import { createRedis } from "@/lib/redis";
import { eq } from "drizzle-orm";
import { inboundWebhook, repository, webhookDelivery, webhookEndpoint } from "@/lib/db/schema";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { call, createTokenFor, getApp, otherTeam, principalFor, readSse, registerRepo, signUp, signUpInto, type CallOptions, type Session } from "../support/web";

/**
 * Membership checks on every endpoint, on PGlite and PostgreSQL. Table-driven over the API's
 * route files: each request names an object of team A (a run with an open approval, its
 * review, diff, logs and events; a schedule, a repository with a rule, an MCP server and an
 * environment; an invitation; a member), and a member of team B gets 404 for every one, its
 * owner's instance-admin powers notwithstanding. Every route file under app/api is either in
 * the table or listed as team-independent, so a new route without a check fails here.
 */

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Probe = { file: string; method: string; path: string; params?: Record<string, string>; body?: unknown; expect?: number };

const API = path.join(process.cwd(), "app", "api");

/** Route files whose objects are not a team's: instance-wide, or the caller's own. */
const TEAM_INDEPENDENT: Record<string, string> = {
  "admin/acp-agents/[name]": "instance admin: ACP agents are binaries on the job processes",
  "admin/acp-agents": "instance admin",
  "admin/environment-caches/clear": "instance admin: caches live on the job processes",
  "admin/environment-caches": "instance admin",
  "admin/parked-events": "instance admin",
  "admin/workspaces": "instance admin: workspaces live on the job processes",
  "admin/workspaces/[worker]/[id]": "instance admin: the job process that owns the workspace deletes it",
  "admin/teams": "instance admin: creates teams and names their first owner",
  "admin/users/[id]/password-reset": "instance admin: accounts",
  "admin/users/[id]": "instance admin: accounts",
  "admin/users": "instance admin: accounts",
  audit: "the caller's own team's log only (another team's rows: tests/audit/auditLog.db.test.ts)",
  "audit/export": "the caller's own team's log only (another team's rows: tests/audit/auditLog.db.test.ts)",
  "auth/[...all]": "better-auth's sign-in and sign-up",
  events: "the live channel: filtered by the run rule, tested below",
  executors: "what the job processes offer",
  health: "no data",
  inputs: "the caller's own open requests: tested below",
  invitations: "creates and lists in the caller's own team only",
  "me/notifications/deliveries": "the caller's own",
  "me/notifications": "the caller's own",
  "me/notifications/test": "the caller's own",
  "me/rules/[id]": "the caller's own rules",
  "me/rules": "the caller's own rules",
  "me/teams": "the caller's own memberships",
  repos: "lists and registers in the caller's own team only",
  schedules: "lists and creates in the caller's own team only (creating one on another team's repository: below)",
  templates: "lists and creates in the caller's own team only (on another team's repository: 422, tests/templates/templates.db.test.ts)",
  "team/members": "the caller's own team",
  "team/budgets": "the caller's own team's limits (a member named in a body is looked up in that team)",
  "team/costs.csv": "the caller's own team's costs only (members: their own runs; tests/teams/costs.db.test.ts)",
  team: "the caller's own team",
  "tokens/[id]": "the caller's own tokens",
  tokens: "the caller's own tokens (in the caller's team)",
  "webhooks/endpoints": "the caller's own endpoints, and their own team's as its admin",
  "webhooks/in/[id]": "no session: authenticated by the webhook's signature only (tests/webhooks/incoming.db.test.ts)",
};

function routeFiles(dir = API): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(full);
    return e.name === "route.ts" ? [path.relative(API, dir)] : [];
  });
}

const routes: Record<string, Record<string, unknown>> = {
  "runs/[id]/cancel": cancelRoute,
  "runs/[id]/diff": diffRoute,
  "runs/[id]/events": runEventsRoute,
  "runs/[id]/follow-up": followUpRoute,
  "runs/[id]/continue": continueRoute,
  "runs/[id]/inputs/[requestId]": answerRoute,
  "runs/[id]/log": logRoute,
  "runs/[id]/rerun": rerunRoute,
  "runs/[id]/retry": retryRoute,
  "runs/[id]/review": reviewRoute,
  "runs/[id]": runRoute,
  "runs/[id]/settings": settingsRoute,
  "runs/[id]/transcript": transcriptRoute,
  "runs/[id]/report": reportRoute,
  runs: runsRoute,
  "repos/[name]/branches": branchesRoute,
  "repos/[name]/environment": environmentRoute,
  "repos/[name]/mcp-servers/[server]": mcpServerRoute,
  "repos/[name]/mcp-servers": mcpServersRoute,
  "repos/[name]": repoRoute,
  "repos/[name]/rules/[id]": repoRuleRoute,
  "repos/[name]/rules": repoRulesRoute,
  "repos/[name]/test": repoTestRoute,
  "schedules/[id]": scheduleRoute,
  "templates/[id]": templateRoute,
  "templates/[id]/runs": templateRunsRoute,
  "invitations/[id]": invitationRoute,
  "team/members/[userId]": memberRoute,
  "me/team": switchTeamRoute,
  "webhooks/endpoints/[id]": endpointRoute,
  "repos/[name]/webhooks": inboundListRoute,
  "repos/[name]/webhooks/[id]": inboundRoute,
  "repos/[name]/webhooks/[id]/rotate": inboundRotateRoute,
  "repos/[name]/webhooks/[id]/deliveries": inboundDeliveriesRoute,
  "webhooks/endpoints/[id]/rotate": endpointRotateRoute,
  "webhooks/endpoints/[id]/ping": endpointPingRoute,
  "webhooks/endpoints/[id]/deliveries": endpointDeliveriesRoute,
  "webhooks/endpoints/[id]/deliveries/[deliveryId]/resend": endpointResendRoute,
};

const send = (probe: Probe, as: Session | string) =>
  call(routes[probe.file]![probe.method] as Handler, probe.path, {
    as,
    method: probe.method,
    params: probe.params,
    ...(probe.body !== undefined ? { body: probe.body } : {}),
  } satisfies CallOptions);

describe("every endpoint checks team membership", () => {
  let owner: Session; // team A's owner, also the instance admin
  let alice: Session; // team A member, owns the run and the schedule
  let mia: Session; // another team A member
  let vic: Session; // team A viewer
  let teamAdmin: Session;
  let bob: Session; // team B's owner
  let teamA: string;
  let repo: TestRepo;
  let recorder: Recorder;
  let jobRedis: Redis;
  let jobLog: EventLog;
  let runId: string;
  let scheduleId: string;
  let templateId: string;
  let ruleId: string;
  let invitationId: string;
  let endpointId: string;
  let deliveryId: string;
  let inboundId: string;
  const REQUEST = "toolu_cross";

  const newRun = async (as: Session) => {
    const res = await call(runsRoute.POST as Handler, "/api/runs", { as, body: { repo: "demo", command: "make", inputTimeoutSec: 600 } });
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  /** What a waiting job does: ask for an approval and wait for the answer in the background. */
  const ask = async (id: string, requestId = REQUEST) => {
    const ctx = { eventLog: jobLog, emit: createRunEmitter(jobLog, id, []), runId: id, signal: new AbortController().signal, timeoutSec: 600 };
    const answer = requestHumanInput(ctx, { requestId, kind: "approval", tool: "shell", input: { command: "npm publish" }, reasons: ["publishes"] });
    answer.catch(() => {});
    while (!(await readRunEvents(jobLog, id, "0")).some((e) => e.event.type === "input.requested")) await new Promise((r) => setTimeout(r, 10));
    await recorder.settle();
    // Wrapped: an async function returning the promise itself would wait for the answer.
    return { answer };
  };

  beforeAll(async () => {
    owner = await signUp("owner@example.com");
    alice = await signUpInto(owner, "member");
    mia = await signUpInto(owner, "member");
    vic = await signUpInto(owner, "viewer");
    teamAdmin = await signUpInto(owner, "admin");
    ({ owner: bob } = await otherTeam("Team B"));
    const app = await getApp();
    teamA = (await principalFor(owner)).team!.id;
    repo = await createTestRepo({ files: { "README.md": "# a\n" } });
    expect((await registerRepo(owner, { name: "demo", url: repo.url })).status).toBe(201);
    recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100 });
    jobRedis = createRedis(app.config.redisUrl, "worker");
    jobLog = createEventLog(jobRedis, app.config.redisPrefix);

    runId = await newRun(alice);
    await ask(runId);
    const sched = await call(createSchedule as Handler, "/api/schedules", { as: alice, body: { name: "nightly", repo: "demo", cron: "0 3 * * *", executor: "cli", command: "make" } });
    expect(sched.status, await sched.clone().text()).toBe(201);
    scheduleId = ((await sched.json()) as { id: string }).id;
    const tpl = await call(createTemplate as Handler, "/api/templates", {
      as: alice,
      body: { name: "fix", repo: "demo", prompt: "Fix {{issue}}", variables: [{ name: "issue", required: true }] },
    });
    expect(tpl.status, await tpl.clone().text()).toBe(201);
    templateId = ((await tpl.json()) as { id: string }).id;
    const rule = await call(repoRulesRoute.POST as Handler, "/api/repos/demo/rules", { as: owner, body: { pattern: "npm publish*", effect: "deny" }, params: { name: "demo" } });
    expect(rule.status).toBe(201);
    ruleId = ((await rule.json()) as { id: string }).id;
    const server = await call(mcpServersRoute.POST as Handler, "/api/repos/demo/mcp-servers", {
      as: owner,
      body: { name: "files", transport: "stdio", command: "node", args: ["server.mjs"] },
      params: { name: "demo" },
    });
    expect(server.status, await server.clone().text()).toBe(201);
    const env = await call(environmentRoute.PUT as Handler, "/api/repos/demo/environment", { as: owner, method: "PUT", body: { setupScript: "true" }, params: { name: "demo" } });
    expect(env.status, await env.clone().text()).toBe(200);
    const invite = await call(createInvitation as Handler, "/api/invitations", { as: owner, body: {} });
    invitationId = ((await invite.json()) as { id: string }).id;
    // Team A's outgoing webhook with one delivery (written directly: its URL is not reachable here).
    endpointId = crypto.randomUUID();
    deliveryId = crypto.randomUUID();
    await app.db.insert(webhookEndpoint).values({ id: endpointId, teamId: teamA, url: "https://hooks.example.com/a", secret: "whsec_a", states: ["failed"] });
    inboundId = crypto.randomUUID();
    const [demoRepo] = await app.db.select({ id: repository.id }).from(repository).where(eq(repository.teamId, teamA));
    await app.db.insert(inboundWebhook).values({ id: inboundId, repositoryId: demoRepo!.id, teamId: teamA, secret: "whsec_in", templateId, rules: { direct: true }, createdBy: owner.userId });
    await app.db.insert(webhookDelivery).values({ id: deliveryId, endpointId, eventId: "evt_a", eventType: "ping", payload: { id: "evt_a", type: "ping" }, status: "delivered" });
  }, 120_000);

  afterAll(async () => {
    await recorder?.stop();
    jobRedis?.disconnect();
    await repo?.remove();
  });

  const probes = (): Probe[] => {
    const run = { id: runId };
    const demo = { name: "demo" };
    return [
      { file: "runs/[id]", method: "GET", path: `/api/runs/${runId}`, params: run },
      { file: "runs/[id]/events", method: "GET", path: `/api/runs/${runId}/events`, params: run },
      { file: "runs/[id]/diff", method: "GET", path: `/api/runs/${runId}/diff`, params: run },
      { file: "runs/[id]/log", method: "GET", path: `/api/runs/${runId}/log`, params: run },
      { file: "runs/[id]/transcript", method: "GET", path: `/api/runs/${runId}/transcript`, params: run },
      { file: "runs/[id]/report", method: "GET", path: `/api/runs/${runId}/report`, params: run },
      { file: "runs/[id]/settings", method: "GET", path: `/api/runs/${runId}/settings`, params: run },
      { file: "runs/[id]/review", method: "GET", path: `/api/runs/${runId}/review`, params: run },
      { file: "runs/[id]/review", method: "POST", path: `/api/runs/${runId}/review`, params: run, body: { action: "discard" } },
      { file: "runs/[id]/cancel", method: "POST", path: `/api/runs/${runId}/cancel`, params: run },
      { file: "runs/[id]/rerun", method: "POST", path: `/api/runs/${runId}/rerun`, params: run },
      { file: "runs/[id]/retry", method: "POST", path: `/api/runs/${runId}/retry`, params: run },
      { file: "runs/[id]/follow-up", method: "POST", path: `/api/runs/${runId}/follow-up`, params: run, body: { prompt: "more" } },
      { file: "runs/[id]/continue", method: "POST", path: `/api/runs/${runId}/continue`, params: run, body: { prompt: "more" } },
      {
        file: "runs/[id]/inputs/[requestId]",
        method: "POST",
        path: `/api/runs/${runId}/inputs/${REQUEST}`,
        params: { id: runId, requestId: REQUEST },
        body: { decision: "approve" },
      },
      // A run on another team's repository: the name means nothing in the caller's team.
      { file: "runs", method: "POST", path: "/api/runs", body: { repo: "demo", command: "true" }, expect: 422 },
      { file: "repos/[name]", method: "PATCH", path: "/api/repos/demo", params: demo, body: { defaultBranch: "dev" } },
      { file: "repos/[name]", method: "DELETE", path: "/api/repos/demo", params: demo },
      { file: "repos/[name]/test", method: "POST", path: "/api/repos/demo/test", params: demo },
      { file: "repos/[name]/branches", method: "GET", path: "/api/repos/demo/branches", params: demo },
      { file: "repos/[name]/rules", method: "GET", path: "/api/repos/demo/rules", params: demo },
      { file: "repos/[name]/rules", method: "POST", path: "/api/repos/demo/rules", params: demo, body: { pattern: "ls", effect: "allow" } },
      { file: "repos/[name]/rules/[id]", method: "DELETE", path: `/api/repos/demo/rules/${ruleId}`, params: { name: "demo", id: ruleId } },
      { file: "repos/[name]/mcp-servers", method: "GET", path: "/api/repos/demo/mcp-servers", params: demo },
      { file: "repos/[name]/mcp-servers", method: "POST", path: "/api/repos/demo/mcp-servers", params: demo, body: { name: "x", transport: "stdio", command: "x" } },
      { file: "repos/[name]/mcp-servers/[server]", method: "DELETE", path: "/api/repos/demo/mcp-servers/files", params: { name: "demo", server: "files" } },
      { file: "repos/[name]/environment", method: "GET", path: "/api/repos/demo/environment", params: demo },
      { file: "repos/[name]/environment", method: "PUT", path: "/api/repos/demo/environment", params: demo, body: { setupScript: "false" } },
      { file: "repos/[name]/environment", method: "DELETE", path: "/api/repos/demo/environment", params: demo },
      { file: "schedules/[id]", method: "PATCH", path: `/api/schedules/${scheduleId}`, params: { id: scheduleId }, body: { enabled: false } },
      { file: "schedules/[id]", method: "DELETE", path: `/api/schedules/${scheduleId}`, params: { id: scheduleId } },
      { file: "templates/[id]", method: "GET", path: `/api/templates/${templateId}`, params: { id: templateId } },
      { file: "templates/[id]", method: "PATCH", path: `/api/templates/${templateId}`, params: { id: templateId }, body: { name: "mine" } },
      { file: "templates/[id]", method: "DELETE", path: `/api/templates/${templateId}`, params: { id: templateId } },
      { file: "templates/[id]/runs", method: "POST", path: `/api/templates/${templateId}/runs`, params: { id: templateId }, body: { variables: { issue: "x" } } },
      { file: "invitations/[id]", method: "DELETE", path: `/api/invitations/${invitationId}`, params: { id: invitationId } },
      { file: "team/members/[userId]", method: "PATCH", path: `/api/team/members/${alice.userId}`, params: { userId: alice.userId }, body: { role: "viewer" } },
      { file: "team/members/[userId]", method: "DELETE", path: `/api/team/members/${alice.userId}`, params: { userId: alice.userId } },
      { file: "me/team", method: "POST", path: "/api/me/team", body: { teamId: teamA } },
      { file: "webhooks/endpoints/[id]", method: "PATCH", path: `/api/webhooks/endpoints/${endpointId}`, params: { id: endpointId }, body: { enabled: false } },
      { file: "webhooks/endpoints/[id]", method: "DELETE", path: `/api/webhooks/endpoints/${endpointId}`, params: { id: endpointId } },
      { file: "webhooks/endpoints/[id]/rotate", method: "POST", path: `/api/webhooks/endpoints/${endpointId}/rotate`, params: { id: endpointId } },
      { file: "webhooks/endpoints/[id]/ping", method: "POST", path: `/api/webhooks/endpoints/${endpointId}/ping`, params: { id: endpointId } },
      { file: "webhooks/endpoints/[id]/deliveries", method: "GET", path: `/api/webhooks/endpoints/${endpointId}/deliveries`, params: { id: endpointId } },
      { file: "repos/[name]/webhooks", method: "GET", path: "/api/repos/demo/webhooks", params: demo },
      { file: "repos/[name]/webhooks", method: "POST", path: "/api/repos/demo/webhooks", params: demo, body: { templateId: "t", rules: { direct: true } } },
      { file: "repos/[name]/webhooks/[id]", method: "PATCH", path: `/api/repos/demo/webhooks/${inboundId}`, params: { name: "demo", id: inboundId }, body: { enabled: false } },
      { file: "repos/[name]/webhooks/[id]", method: "DELETE", path: `/api/repos/demo/webhooks/${inboundId}`, params: { name: "demo", id: inboundId } },
      { file: "repos/[name]/webhooks/[id]/rotate", method: "POST", path: `/api/repos/demo/webhooks/${inboundId}/rotate`, params: { name: "demo", id: inboundId } },
      { file: "repos/[name]/webhooks/[id]/deliveries", method: "GET", path: `/api/repos/demo/webhooks/${inboundId}/deliveries`, params: { name: "demo", id: inboundId } },
      {
        file: "webhooks/endpoints/[id]/deliveries/[deliveryId]/resend",
        method: "POST",
        path: `/api/webhooks/endpoints/${endpointId}/deliveries/${deliveryId}/resend`,
        params: { id: endpointId, deliveryId },
      },
    ];
  };

  it("covers every route file: in the table, or named team-independent with the reason", () => {
    const covered = new Set([...probes().map((p) => p.file), ...Object.keys(TEAM_INDEPENDENT)]);
    const files = routeFiles();
    expect(files.filter((f) => !covered.has(f)), "route files with no membership check here").toEqual([]);
    // And nothing listed that no longer exists.
    expect([...covered].filter((f) => !files.includes(f))).toEqual([]);
  });

  it("answers 404 to a member of another team on every one, and changes nothing", async () => {
    const bobToken = await createTokenFor(bob);
    for (const probe of probes()) {
      for (const as of [bob, bobToken]) {
        const res = await send(probe, as);
        const text = await res.text();
        expect(res.status, `${probe.method} ${probe.path}: ${text}`).toBe(probe.expect ?? 404);
      }
    }
    // Still there, still the same, for team A.
    const run = await call(runRoute.GET as Handler, `/api/runs/${runId}`, { as: vic, params: { id: runId } });
    expect(run.status).toBe(200);
    expect(((await run.json()) as { pendingInputs: { requestId: string }[] }).pendingInputs.map((p) => p.requestId)).toEqual([REQUEST]);
    const rules = await call(repoRulesRoute.GET as Handler, "/api/repos/demo/rules", { as: vic, params: { name: "demo" } });
    expect(((await rules.json()) as { rules: { id: string }[] }).rules.map((r) => r.id)).toEqual([ruleId]);
  });

  it("keeps another team's runs out of lists, the inbox and the live channel", async () => {
    const list = await call(runsRoute.GET as Handler, "/api/runs?limit=200", { as: bob });
    expect(((await list.json()) as { runs: { id: string }[] }).runs.map((r) => r.id)).not.toContain(runId);
    const inbox = await call(listInputs as Handler, "/api/inputs", { as: bob });
    expect(((await inbox.json()) as { inputs: unknown[] }).inputs).toEqual([]);
    // The instance admin is in team A: a run of team B is theirs to see only if they join it.
    expect((await registerRepo(bob, { name: "demo", url: repo.url })).status).toBe(201);
    const controller = new AbortController();
    const channel = await call(userEvents as Handler, "/api/events", { as: owner, signal: controller.signal });
    expect(channel.status).toBe(200);
    // Bob's run, then one of team A: once the second reached the owner's channel, the first would have.
    const bobsRun = await newRun(bob);
    expect((await call(runRoute.GET as Handler, `/api/runs/${bobsRun}`, { as: owner, params: { id: bobsRun } })).status).toBe(404);
    expect((await call(runRoute.GET as Handler, `/api/runs/${runId}`, { as: bob, params: { id: runId } })).status).toBe(404);
    const marker = await newRun(alice);
    await recorder.settle();
    const { messages } = await readSse(channel, {
      until: (m) => m.some((x) => (x.data as { runId?: string }).runId === marker),
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    const seen = messages.filter((m) => m.event === "change").map((m) => (m.data as { runId: string }).runId);
    expect(seen).toContain(marker);
    expect(seen).not.toContain(bobsRun);
    controller.abort();
  });

  it("lets viewers read but not act, members act on their own runs only, and team admins act on all", async () => {
    const post = (file: string, p: string, as: Session, body?: unknown, params: Record<string, string> = { id: runId }) =>
      send({ file, method: "POST", path: p, params, body }, as);
    // A viewer reads the run, its log and its review, and may not start or answer anything.
    for (const file of ["runs/[id]", "runs/[id]/log", "runs/[id]/review"]) {
      expect((await send({ file, method: "GET", path: `/api/runs/${runId}/x`, params: { id: runId } }, vic)).status, file).toBe(200);
    }
    const viewerRun = await call(runsRoute.POST as Handler, "/api/runs", { as: vic, body: { repo: "demo", command: "true" } });
    expect(viewerRun.status).toBe(403);
    expect(((await viewerRun.json()) as { error: { message: string } }).error.message).toMatch(/team member or above can start runs/);
    const answerAs = (as: Session) =>
      post("runs/[id]/inputs/[requestId]", `/api/runs/${runId}/inputs/${REQUEST}`, as, { decision: "approve" }, { id: runId, requestId: REQUEST });
    expect((await answerAs(vic)).status).toBe(403);
    // Another member sees alice's run but may not answer, cancel, review or re-run it.
    expect((await answerAs(mia)).status).toBe(403);
    expect((await post("runs/[id]/cancel", `/api/runs/${runId}/cancel`, mia)).status).toBe(403);
    expect((await post("runs/[id]/review", `/api/runs/${runId}/review`, mia, { action: "discard" })).status).toBe(403);
    expect((await post("runs/[id]/rerun", `/api/runs/${runId}/rerun`, mia)).status).toBe(403);
    // Nor change her schedule (a team admin may).
    const patchSchedule = (as: Session) =>
      send({ file: "schedules/[id]", method: "PATCH", path: `/api/schedules/${scheduleId}`, params: { id: scheduleId }, body: { enabled: false } }, as);
    expect((await patchSchedule(mia)).status).toBe(403);
    expect((await patchSchedule(vic)).status).toBe(403);
    expect((await patchSchedule(teamAdmin)).status).toBe(200);
    // The team admin approves alice's request and cancels her run.
    const approved = await answerAs(teamAdmin);
    expect(approved.status, await approved.clone().text()).toBe(200);
    expect(((await approved.json()) as { by: string }).by).toBe(teamAdmin.email);
    const cancelled = await post("runs/[id]/cancel", `/api/runs/${runId}/cancel`, teamAdmin);
    expect(cancelled.status, await cancelled.clone().text()).toBe(200);
    // Alice acts on her own: a new run of hers, cancelled by her.
    const own = await newRun(alice);
    expect((await post("runs/[id]/cancel", `/api/runs/${own}/cancel`, alice, undefined, { id: own })).status).toBe(200);

    // A run of alice's in review: another member and a viewer may not decide, the team admin may.
    const reviewed = await newRun(alice);
    const app = await getApp();
    for (const body of [
      { type: "run.started", attempt: 1, worker: "w1", resumed: false },
      { type: "run.awaiting_review", branch: "agentdesk/reviewed", headSha: "a".repeat(40) },
    ] as const) {
      const stored = await appendEvent(app.eventLog, reviewed, body);
      await projectEvent(app.db, stored.id, stored.event);
    }
    const decide = (as: Session) => post("runs/[id]/review", `/api/runs/${reviewed}/review`, as, { action: "discard" }, { id: reviewed });
    for (const as of [mia, vic]) {
      const refused = await decide(as);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/team admin or above/);
    }
    const discarded = await decide(teamAdmin);
    expect(discarded.status, await discarded.clone().text()).toBe(201);
    expect(((await discarded.json()) as { decision: { by: string } }).decision.by).toBe(teamAdmin.email);
  });

  it("holds a token to its scope: read only reads, run acts on runs, neither manages", async () => {
    const { POST: createToken } = await import("@/app/api/tokens/route");
    const tokenOf = async (as: Session, scope: string) =>
      ((await (await call(createToken as Handler, "/api/tokens", { as, body: { name: scope, scope } })).json()) as { token: string }).token;
    const reader = await tokenOf(alice, "read");
    expect((await call(runRoute.GET as Handler, `/api/runs/${runId}`, { as: reader, params: { id: runId } })).status).toBe(200);
    const refused = await call(runsRoute.POST as Handler, "/api/runs", { as: reader, body: { repo: "demo", command: "true" } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/scope is "read"/);
    const runner = await tokenOf(alice, "run");
    const made = await call(runsRoute.POST as Handler, "/api/runs", { as: runner, body: { repo: "demo", command: "true" } });
    expect(made.status).toBe(201);
    // The owner's run token acts on runs, but cannot manage the team's repositories.
    const ownerRunner = await tokenOf(owner, "run");
    const { id } = (await made.json()) as { id: string };
    expect((await call(cancelRoute.POST as Handler, `/api/runs/${id}/cancel`, { as: ownerRunner, params: { id } })).status).toBe(200);
    const rule = await call(repoRulesRoute.POST as Handler, "/api/repos/demo/rules", { as: ownerRunner, body: { pattern: "ls", effect: "allow" }, params: { name: "demo" } });
    expect(rule.status).toBe(403);
    expect(((await rule.json()) as { error: { message: string } }).error.message).toMatch(/needs scope "admin"/);
  });
});
