import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as acpAgentRoute from "@/app/api/admin/acp-agents/[name]/route";
import * as acpAgentsRoute from "@/app/api/admin/acp-agents/route";
import * as adminTeamsRoute from "@/app/api/admin/teams/route";
import * as adminUserRoute from "@/app/api/admin/users/[id]/route";
import * as auditExportRoute from "@/app/api/audit/export/route";
import * as auditRoute from "@/app/api/audit/route";
import * as invitationRoute from "@/app/api/invitations/[id]/route";
import * as invitationsRoute from "@/app/api/invitations/route";
import * as myRuleRoute from "@/app/api/me/rules/[id]/route";
import * as myRulesRoute from "@/app/api/me/rules/route";
import * as environmentRoute from "@/app/api/repos/[name]/environment/route";
import * as mcpServerRoute from "@/app/api/repos/[name]/mcp-servers/[server]/route";
import * as mcpServersRoute from "@/app/api/repos/[name]/mcp-servers/route";
import * as repoRoute from "@/app/api/repos/[name]/route";
import * as repoRuleRoute from "@/app/api/repos/[name]/rules/[id]/route";
import * as repoRulesRoute from "@/app/api/repos/[name]/rules/route";
import * as cancelRoute from "@/app/api/runs/[id]/cancel/route";
import * as answerRoute from "@/app/api/runs/[id]/inputs/[requestId]/route";
import * as reviewRoute from "@/app/api/runs/[id]/review/route";
import * as runsRoute from "@/app/api/runs/route";
import * as scheduleRoute from "@/app/api/schedules/[id]/route";
import * as schedulesRoute from "@/app/api/schedules/route";
import * as budgetsRoute from "@/app/api/team/budgets/route";
import * as teamRoute from "@/app/api/team/route";
import * as memberRoute from "@/app/api/team/members/[userId]/route";
import * as tokenRoute from "@/app/api/tokens/[id]/route";
import * as tokensRoute from "@/app/api/tokens/route";
import { createRunEmitter } from "@/jobs/emit";
import { requestHumanInput, type HumanInputRequest } from "@/jobs/humanInput";
import type { AuditAction } from "@/lib/auditActions";
import { auditEvent, run } from "@/lib/db/schema";
import { readRunEvents } from "@/lib/eventLog";
import { startRecorder, type Recorder } from "@/lib/recorder";
import { firstTeam } from "@/lib/services/teams";
import { jobEventLogForFile } from "../inputs/support";
import { insertRunRow } from "../support/runRow";
import { call, getApp, otherTeam, registerRepo, signUp, signUpInto, type CallOptions, type Session } from "../support/web";

/**
 * The audit log on PGlite and PostgreSQL: each kind of decision, made through the real API,
 * leaves exactly one row naming the person and the team (answers through real Redis and the
 * projection, like the job process's side); another team's rows are never visible; the page's
 * filters and the CSV/JSON export read the same rows.
 */

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const send = (handler: unknown, p: string, opts: CallOptions) => call(handler as Handler, p, opts);

let admin: Session; // instance admin, owner of the first team
let member: Session;
let teamId: string;
let recorder: Recorder;
const job = jobEventLogForFile();
const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-audit-"));

beforeAll(async () => {
  admin = await signUp("audit-admin@example.com");
  const app = await getApp();
  teamId = (await firstTeam(app)).id;
  member = await signUpInto(admin, "member", "audit-member@example.com");
  expect((await registerRepo(admin, { name: "audited", url: repoDir })).status).toBe(201);
  recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100 });
});

afterAll(async () => {
  await recorder.stop();
});

/** The audit rows about one subject, oldest first. */
async function rowsAbout(subjectId: string, action?: AuditAction) {
  const app = await getApp();
  const rows = await app.db
    .select()
    .from(auditEvent)
    .where(and(eq(auditEvent.subjectId, subjectId), action ? eq(auditEvent.action, action) : undefined));
  return rows.sort((a, b) => a.at.getTime() - b.at.getTime());
}

const actorOf = (s: Session) => ({ actorId: s.userId, actorEmail: s.email });

async function newRun(as: Session = member): Promise<string> {
  const res = await send(runsRoute.POST, "/api/runs", { as, body: { repo: "audited", command: "make", inputTimeoutSec: 600 } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** The job process's side: ask, and wait for the answer in the background. */
async function ask(runId: string, request: HumanInputRequest) {
  const ctx = { eventLog: job.log(), emit: createRunEmitter(job.log(), runId, []), runId, signal: new AbortController().signal, timeoutSec: 60 };
  const answer = requestHumanInput(ctx, request);
  answer.catch(() => {});
  const deadline = Date.now() + 5_000;
  const asked = (e: { event: { type: string } }) => e.event.type === "input.requested" && (e.event as { requestId?: string }).requestId === request.requestId;
  while (!(await readRunEvents(job.log(), runId, "0")).some(asked)) {
    if (Date.now() > deadline) throw new Error("the request was never emitted");
    await new Promise((r) => setTimeout(r, 10));
  }
  await recorder.settle();
  // Wrapped: an async function returning the promise itself would wait for the answer.
  return { answer };
}

const auditPage = async (as: Session, query = "") => {
  const res = await send(auditRoute.GET, `/api/audit${query}`, { as });
  return { status: res.status, body: (await res.json()) as { events: { action: string; subject: { id: string }; actor: { email: string } }[]; hasMore: boolean; error?: { message: string; issues?: { path: string }[] } } };
};

describe("decisions on runs", () => {
  it("an approval, a denial and an answer each leave one row by the person who gave it, written with the request's record", async () => {
    const runId = await newRun();
    const { answer: approved } = await ask(runId, { requestId: "toolu_a", kind: "approval", tool: "shell", input: { command: "npm publish" }, reasons: ["publishes"] });
    const ok = await send(answerRoute.POST, `/api/runs/${runId}/inputs/toolu_a`, { as: member, params: { id: runId, requestId: "toolu_a" }, body: { decision: "approve", note: "fine", remember: true } });
    expect(ok.status).toBe(200);
    await approved;
    const { answer: denied } = await ask(runId, { requestId: "toolu_b", kind: "approval", tool: "shell", input: { command: "rm -rf /" } });
    expect((await send(answerRoute.POST, `/api/runs/${runId}/inputs/toolu_b`, { as: member, params: { id: runId, requestId: "toolu_b" }, body: { decision: "deny" } })).status).toBe(200);
    await denied;
    const { answer: asked } = await ask(runId, { requestId: "ask_1", kind: "question", question: "Which port?" });
    expect((await send(answerRoute.POST, `/api/runs/${runId}/inputs/ask_1`, { as: member, params: { id: runId, requestId: "ask_1" }, body: { answer: "8080" } })).status).toBe(200);
    await asked;
    // The recorder projects the same events again later: still one row each.
    await recorder.settle();
    const rows = await rowsAbout(runId);
    expect(rows.map((r) => r.action)).toEqual(["approval.approve", "approval.deny", "question.answer"]);
    for (const r of rows) expect(r).toMatchObject({ teamId, ...actorOf(member), subjectType: "run", subjectLabel: "make" });
    expect(rows[0]!.details).toEqual({ requestId: "toolu_a", tool: "shell", note: "fine", remember: true, edited: false });
    expect(rows[2]!.details).toEqual({ requestId: "ask_1", question: "Which port?", answer: "8080" });
  });

  it("a cancel leaves one row; the refused second cancel none", async () => {
    const runId = await newRun();
    expect((await send(cancelRoute.POST, `/api/runs/${runId}/cancel`, { as: member, params: { id: runId }, body: {} })).status).toBe(200);
    await send(cancelRoute.POST, `/api/runs/${runId}/cancel`, { as: member, params: { id: runId }, body: {} });
    const rows = await rowsAbout(runId, "run.cancel");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ teamId, ...actorOf(member), details: { status: "queued" } });
  });

  it("push, request changes and discard each leave one row with the decision's id", async () => {
    const app = await getApp();
    const [repoRow] = await app.db.query.repository.findMany({ where: (r, { eq: is }) => is(r.name, "audited") });
    const decide = async (action: string, extra: Record<string, unknown> = {}) => {
      const runId = await insertRunRow(member.userId, repoRow!.id, "awaiting_review");
      await app.db.update(run).set({ headSha: "a".repeat(40), executor: "agent", title: `review ${action}` }).where(eq(run.id, runId));
      const res = await send(reviewRoute.POST, `/api/runs/${runId}/review`, { as: member, params: { id: runId }, body: { action, ...extra } });
      expect(res.status, await res.clone().text()).toBe(201);
      const { decision } = (await res.json()) as { decision: { id: string } };
      const rows = await rowsAbout(runId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ teamId, ...actorOf(member), action: `review.${action}`, subjectLabel: `review ${action}` });
      expect(rows[0]!.details).toMatchObject({ decisionId: decision.id });
    };
    await decide("push");
    await decide("request_changes", { feedback: "rename the flag" });
    await decide("discard");
  });
});

describe("budgets", () => {
  const budgetAsk = (runId: string, requestId: string) =>
    ask(runId, {
      requestId,
      kind: "budget",
      input: { scope: "team", teamId, userId: member.userId, month: new Date().toISOString().slice(0, 7), limitUsd: 5, spendUsd: 4.9, turnCostUsd: 0.2 },
    });

  it("a limit set, raised from a run's budget request, and a run stopped at its limit: one row each", async () => {
    const set = await send(budgetsRoute.PUT, "/api/team/budgets", { as: admin, method: "PUT", body: { scope: "team", limitUsd: 5 } });
    expect(set.status, await set.clone().text()).toBe(200);
    // The same limit again changes nothing: no row.
    expect((await send(budgetsRoute.PUT, "/api/team/budgets", { as: admin, method: "PUT", body: { scope: "team", limitUsd: 5 } })).status).toBe(200);
    expect((await send(budgetsRoute.PUT, "/api/team/budgets", { as: admin, method: "PUT", body: { scope: "user", userId: member.userId, limitUsd: 2 } })).status).toBe(200);
    expect((await rowsAbout(teamId, "budget.set")).map((r) => [r.actorEmail, r.subjectLabel, r.details])).toEqual([
      [admin.email, "the team, monthly", { limit: "team", fromUsd: null, toUsd: 5 }],
    ]);
    expect((await rowsAbout(member.userId, "budget.set")).map((r) => r.details)).toEqual([{ limit: "user", fromUsd: null, toUsd: 2 }]);

    const runId = await newRun();
    const { answer: raised } = await budgetAsk(runId, "budget_1");
    const raise = await send(answerRoute.POST, `/api/runs/${runId}/inputs/budget_1`, { as: admin, params: { id: runId, requestId: "budget_1" }, body: { decision: "approve", limitUsd: 8 } });
    expect(raise.status, await raise.clone().text()).toBe(200);
    await raised;
    const { answer: stopped } = await budgetAsk(runId, "budget_2");
    expect((await send(answerRoute.POST, `/api/runs/${runId}/inputs/budget_2`, { as: admin, params: { id: runId, requestId: "budget_2" }, body: { decision: "deny" } })).status).toBe(200);
    await stopped;
    await recorder.settle();
    // The raise is the limit's row (not an approval too); the stop is the run's.
    expect((await rowsAbout(teamId, "budget.set")).map((r) => r.details)).toEqual([
      { limit: "team", fromUsd: null, toUsd: 5 },
      { limit: "team", fromUsd: 5, toUsd: 8 },
    ]);
    expect((await rowsAbout(runId)).map((r) => [r.action, r.actorEmail, r.details])).toEqual([
      ["budget.stop", admin.email, { requestId: "budget_2", limit: "team", limitUsd: 5, spendUsd: 4.9 }],
    ]);
  });
});

describe("changes to the team's setup", () => {
  it("rules: a repository's and a personal one, created and deleted", async () => {
    const made = await send(repoRulesRoute.POST, "/api/repos/audited/rules", { as: admin, params: { name: "audited" }, body: { pattern: "npm test", effect: "allow" } });
    expect(made.status).toBe(201);
    const ruleId = ((await made.json()) as { id: string }).id;
    expect((await send(repoRuleRoute.DELETE, `/api/repos/audited/rules/${ruleId}`, { as: admin, params: { name: "audited", id: ruleId } })).status).toBe(204);
    expect((await rowsAbout(ruleId)).map((r) => [r.action, r.teamId, r.actorEmail, r.subjectLabel])).toEqual([
      ["rule.create", teamId, admin.email, "allow npm test (repository audited)"],
      ["rule.delete", teamId, admin.email, "allow npm test (repository audited)"],
    ]);

    const mine = await send(myRulesRoute.POST, "/api/me/rules", { as: member, body: { pattern: "git push", effect: "deny" } });
    expect(mine.status).toBe(201);
    const mineId = ((await mine.json()) as { id: string }).id;
    expect((await send(myRuleRoute.DELETE, `/api/me/rules/${mineId}`, { as: member, params: { id: mineId } })).status).toBe(204);
    const rows = await rowsAbout(mineId);
    expect(rows.map((r) => r.action)).toEqual(["rule.create", "rule.delete"]);
    expect(rows[0]).toMatchObject({ teamId, ...actorOf(member), details: { scope: "user", pattern: "git push", effect: "deny" } });
  });

  it("members: an invitation made, used (the join) and one revoked; a role changed; a member removed", async () => {
    const invited = await send(invitationsRoute.POST, "/api/invitations", { as: admin, body: { email: "audit-joiner@example.com", teamRole: "viewer" } });
    expect(invited.status).toBe(201);
    const invitation = (await invited.json()) as { id: string; token: string };
    const joiner = await signUp("audit-joiner@example.com", undefined, { invitation: invitation.token });
    expect(await rowsAbout(invitation.id)).toEqual([expect.objectContaining({ action: "invitation.create", teamId, ...actorOf(admin) })]);
    expect(await rowsAbout(joiner.userId)).toEqual([
      expect.objectContaining({ action: "member.join", teamId, ...actorOf(joiner), subjectLabel: joiner.email, details: { role: "viewer", via: "invitation" } }),
    ]);

    const spare = (await (await send(invitationsRoute.POST, "/api/invitations", { as: admin, body: {} })).json()) as { id: string };
    expect((await send(invitationRoute.DELETE, `/api/invitations/${spare.id}`, { as: admin, params: { id: spare.id } })).status).toBe(204);
    expect((await rowsAbout(spare.id)).map((r) => r.action)).toEqual(["invitation.create", "invitation.revoke"]);

    expect((await send(memberRoute.PATCH, `/api/team/members/${joiner.userId}`, { as: admin, params: { userId: joiner.userId }, body: { role: "member" } })).status).toBe(200);
    expect((await send(memberRoute.DELETE, `/api/team/members/${joiner.userId}`, { as: admin, params: { userId: joiner.userId } })).status).toBe(204);
    const after = await rowsAbout(joiner.userId);
    expect(after.map((r) => [r.action, r.actorEmail, r.details])).toEqual([
      ["member.join", joiner.email, { role: "viewer", via: "invitation" }],
      ["member.role_change", admin.email, { from: "viewer", to: "member" }],
      ["member.remove", admin.email, { role: "member", left: false }],
    ]);
  });

  it("repositories, schedules and tokens: each change one row", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-audit-"));
    const created = await registerRepo(admin, { name: "audit-two", url: dir });
    expect(created.status).toBe(201);
    const repoId = ((await created.json()) as { id: string }).id;
    expect((await send(repoRoute.PATCH, "/api/repos/audit-two", { as: admin, params: { name: "audit-two" }, body: { defaultBranch: "trunk" } })).status).toBe(200);

    const sched = await send(schedulesRoute.POST, "/api/schedules", { as: admin, body: { name: "nightly", cron: "0 3 * * *", repo: "audit-two", command: "make" } });
    expect(sched.status, await sched.clone().text()).toBe(201);
    const scheduleId = ((await sched.json()) as { id: string }).id;
    expect((await send(scheduleRoute.PATCH, `/api/schedules/${scheduleId}`, { as: admin, params: { id: scheduleId }, body: { enabled: false } })).status).toBe(200);
    expect((await send(scheduleRoute.DELETE, `/api/schedules/${scheduleId}`, { as: admin, params: { id: scheduleId } })).status).toBe(204);
    expect((await rowsAbout(scheduleId)).map((r) => [r.action, r.teamId, r.actorEmail, (r.details as { enabled: boolean }).enabled])).toEqual([
      ["schedule.create", teamId, admin.email, true],
      ["schedule.update", teamId, admin.email, false],
      ["schedule.delete", teamId, admin.email, false],
    ]);

    expect((await send(repoRoute.DELETE, "/api/repos/audit-two", { as: admin, params: { name: "audit-two" } })).status).toBe(200);
    expect((await rowsAbout(repoId)).map((r) => [r.action, r.details])).toEqual([
      ["repo.create", { url: dir, defaultBranch: "main" }],
      ["repo.update", { changed: ["defaultBranch"] }],
      ["repo.delete", { kept: false }],
    ]);

    const token = await send(tokensRoute.POST, "/api/tokens", { as: member, body: { name: "ci", scope: "run" } });
    const tokenId = ((await token.json()) as { id: string }).id;
    expect((await send(tokenRoute.DELETE, `/api/tokens/${tokenId}`, { as: member, params: { id: tokenId } })).status).toBe(204);
    expect((await rowsAbout(tokenId)).map((r) => [r.action, r.teamId, r.actorEmail, r.details])).toEqual([
      ["token.create", teamId, member.email, { name: "ci", scope: "run" }],
      ["token.revoke", teamId, member.email, { name: "ci", scope: "run" }],
    ]);
  });

  it("what a repository's runs execute: an MCP server added and removed, its environment set and removed", async () => {
    const added = await send(mcpServersRoute.POST, "/api/repos/audited/mcp-servers", {
      as: admin,
      params: { name: "audited" },
      body: { name: "files", transport: "stdio", command: "node", args: ["server.mjs"] },
    });
    expect(added.status, await added.clone().text()).toBe(201);
    const serverId = ((await added.json()) as { id: string }).id;
    expect((await send(mcpServerRoute.DELETE, "/api/repos/audited/mcp-servers/files", { as: admin, params: { name: "audited", server: "files" } })).status).toBe(204);
    expect((await rowsAbout(serverId)).map((r) => [r.action, r.teamId, r.actorEmail, r.details])).toEqual([
      ["mcp_server.add", teamId, admin.email, { repo: "audited", transport: "stdio", command: "node", url: null }],
      ["mcp_server.remove", teamId, admin.email, { repo: "audited" }],
    ]);

    const set = await send(environmentRoute.PUT, "/api/repos/audited/environment", { as: admin, method: "PUT", params: { name: "audited" }, body: { setupScript: "true" } });
    expect(set.status, await set.clone().text()).toBe(200);
    expect((await send(environmentRoute.DELETE, "/api/repos/audited/environment", { as: admin, params: { name: "audited" } })).status).toBe(204);
    const app = await getApp();
    const [repoRow] = await app.db.query.repository.findMany({ where: (r, { eq: is }) => is(r.name, "audited") });
    expect((await rowsAbout(repoRow!.id)).filter((r) => r.action.startsWith("environment.")).map((r) => [r.action, r.subjectLabel])).toEqual([
      ["environment.set", "audited"],
      ["environment.delete", "audited"],
    ]);
  });

  it("teams: a new team and its first owner, a rename; an account disabled is an instance-level row", async () => {
    const owner = await signUpInto(admin, "member", "audit-owner@example.com");
    const made = await send(adminTeamsRoute.POST, "/api/admin/teams", { as: admin, body: { name: "Audit Crew", ownerEmail: owner.email } });
    expect(made.status).toBe(201);
    const crew = ((await made.json()) as { team: { id: string } }).team;
    const crewRows = (await (await getApp()).db.select().from(auditEvent).where(eq(auditEvent.teamId, crew.id))).map((r) => [r.action, r.actorEmail, r.subjectLabel]);
    expect(crewRows.sort()).toEqual([
      ["member.join", admin.email, owner.email],
      ["team.create", admin.email, "Audit Crew"],
    ]);
    expect((await send(teamRoute.PATCH, "/api/team", { as: admin, body: { name: "Default team, audited" } })).status).toBe(200);
    expect(await rowsAbout(teamId, "team.rename")).toEqual([expect.objectContaining({ teamId, details: { from: expect.any(String), to: "Default team, audited" } })]);

    expect((await send(adminUserRoute.PATCH, `/api/admin/users/${owner.userId}`, { as: admin, params: { id: owner.userId }, body: { disabled: true } })).status).toBe(200);
    expect(await rowsAbout(owner.userId, "user.update")).toEqual([
      expect.objectContaining({ teamId: null, ...actorOf(admin), details: { changed: ["disabled"], role: "user", disabled: true } }),
    ]);
    // Instance admins read those rows; the team's log does not hold them.
    const instance = await auditPage(admin, "?scope=instance&action=user.update");
    expect(instance.body.events.map((e) => e.subject.id)).toContain(owner.userId);
    expect((await auditPage(admin, "?action=user.update")).body.events).toEqual([]);
    expect((await auditPage(member, "?scope=instance")).status).toBe(403);
  });
});

describe("instance-level changes", () => {
  it("ACP agents registered, changed and removed are rows of no team, for instance admins", async () => {
    const made = await send(acpAgentsRoute.POST, "/api/admin/acp-agents", { as: admin, body: { name: "audited-agent", command: "goose", args: ["acp"] } });
    expect(made.status, await made.clone().text()).toBe(201);
    const agentId = ((await made.json()) as { id: string }).id;
    expect((await send(acpAgentRoute.PATCH, "/api/admin/acp-agents/audited-agent", { as: admin, method: "PATCH", params: { name: "audited-agent" }, body: { description: "Goose" } })).status).toBe(200);
    expect((await send(acpAgentRoute.DELETE, "/api/admin/acp-agents/audited-agent", { as: admin, method: "DELETE", params: { name: "audited-agent" } })).status).toBe(204);
    expect((await rowsAbout(agentId)).map((r) => [r.action, r.teamId, r.actorEmail, r.details])).toEqual([
      ["acp_agent.create", null, admin.email, { command: "goose" }],
      ["acp_agent.update", null, admin.email, { changed: ["description"] }],
      ["acp_agent.delete", null, admin.email, {}],
    ]);
    expect((await auditPage(admin, "?scope=instance&subjectType=acp_agent")).body.events.map((e) => e.action)).toEqual(["acp_agent.delete", "acp_agent.update", "acp_agent.create"]);
  });
});

describe("reading the log", () => {
  it("shows a team's admins their team's rows only; members are refused; another team's admin never sees them", async () => {
    const ours = await auditPage(admin);
    expect(ours.status).toBe(200);
    expect(ours.body.events.length).toBeGreaterThan(5);
    expect((await auditPage(member)).status).toBe(403);

    const other = await otherTeam();
    const theirs = await auditPage(other.owner);
    expect(theirs.status).toBe(200);
    // Their team's making only: none of ours, though the same instance admin made both.
    expect(theirs.body.events.map((e) => e.action).sort()).toEqual(["member.join", "team.create"]);
    expect(theirs.body.events.map((e) => e.subject.id)).toContain(other.owner.userId);
    const exported = await send(auditExportRoute.GET, "/api/audit/export?format=json", { as: other.owner });
    const rows = ((await exported.json()) as { events: { teamId: string }[] }).events;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.teamId === other.teamId)).toBe(true);
  });

  it("filters by action, actor, subject and dates (newest first), pages, and says which filter is wrong", async () => {
    const byMember = await auditPage(admin, `?actor=${encodeURIComponent(member.email.toUpperCase())}`);
    expect(byMember.body.events.length).toBeGreaterThan(0);
    expect(byMember.body.events.every((e) => e.actor.email === member.email)).toBe(true);

    const cancels = await auditPage(admin, "?action=run.cancel");
    expect(cancels.body.events.map((e) => e.action)).toEqual(["run.cancel"]);

    const bySubject = await auditPage(admin, "?subjectType=rule&subject=npm%20test");
    expect(bySubject.body.events.map((e) => e.action)).toEqual(["rule.delete", "rule.create"]);

    const today = new Date().toISOString().slice(0, 10);
    expect((await auditPage(admin, `?from=${today}&to=${today}`)).body.events.length).toBeGreaterThan(0);
    expect((await auditPage(admin, "?to=2001-01-01")).body.events).toEqual([]);

    const bad = await auditPage(admin, "?action=nope&from=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.body.error!.issues!.map((i) => i.path).sort()).toEqual(["action", "from"]);
    expect((await auditPage(admin, "?from=2026-02-01&to=2026-01-01")).body.error!.issues!.map((i) => i.path)).toEqual(["to"]);
    expect((await auditPage(admin, "?page=9999")).body).toMatchObject({ events: [], hasMore: false });
  });

  it("exports the filtered rows as CSV, quoting what a spreadsheet would run", async () => {
    const res = await send(auditExportRoute.GET, `/api/audit/export?format=csv&actor=${encodeURIComponent(member.email)}`, { as: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-team-\d{4}-\d\d-\d\d\.csv"$/);
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe('"at","action","description","actor_email","actor_id","subject_type","subject_id","subject_label","team_id","details"');
    const page = await auditPage(admin, `?actor=${encodeURIComponent(member.email)}`);
    expect(lines).toHaveLength(page.body.events.length + 1);
    expect(lines.slice(1).every((l) => l.includes(`"${member.email}"`))).toBe(true);
    expect(lines.some((l) => l.startsWith('"') && l.includes('"question.answer","Answered a question"'))).toBe(true);

    const bad = await send(auditExportRoute.GET, "/api/audit/export?format=xml", { as: admin });
    expect(bad.status).toBe(400);
  });
});
