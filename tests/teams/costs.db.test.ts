import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getBudgetsRoute, PUT as setLimitRoute } from "@/app/api/team/budgets/route";
import { GET as costsCsvRoute } from "@/app/api/team/costs.csv/route";
import { budgetKeys } from "@/lib/contracts/budgets";
import { repository, run } from "@/lib/db/schema";
import { projectEvent } from "@/lib/projection";
import { rebuildBudgetMirror, mirrorOf } from "@/lib/services/budgets";
import { costReport } from "@/lib/services/costs";
import { createTestRepo } from "../support/gitRepo";
import { call, getApp, otherTeam, principalFor, registerRepo, signUp, type Session } from "../support/web";

/**
 * The cost report behind the cost page and its CSV: runs' reported usage (projected from
 * `usage` events as the recorder does) counted by the month and day each run was created,
 * broken down by user, repository, executor and model; admins see the team, members their
 * own runs; the CSV is the same report. And the limits API around it.
 */
let owner: Session;
let alice: Session;
let bob: Session;

async function repoId(name: string): Promise<string> {
  const [row] = await (await getApp()).db.select({ id: repository.id }).from(repository).where(eq(repository.name, name));
  return row!.id;
}

/** A run created at `at` whose executor reported `costUsd`, through the projection of a `usage` event. */
async function runWithCost(
  who: Session,
  repo: string,
  at: string,
  costUsd: number,
  extra: { executor?: string; model?: string | null; acpAgent?: string; title?: string } = {},
): Promise<string> {
  const app = await getApp();
  const id = crypto.randomUUID();
  const repositoryId = await repoId(repo);
  const [r] = await app.db.select({ teamId: repository.teamId }).from(repository).where(eq(repository.id, repositoryId));
  await app.db.insert(run).values({
    id,
    userId: who.userId,
    repositoryId,
    teamId: r!.teamId,
    title: extra.title ?? `run ${id.slice(0, 6)}`,
    prompt: "p",
    executor: extra.executor ?? "agent",
    acpAgent: extra.acpAgent ?? null,
    model: extra.model === undefined ? "claude-sonnet-4-6" : extra.model,
    approvalMode: "auto",
    maxTurns: 10,
    timeoutSec: 600,
    priority: "normal",
    baseBranch: "main",
    branch: `agentdesk/cost-${id.slice(0, 8)}`,
    status: "running",
    createdAt: new Date(at),
  });
  await projectEvent(app.db, `${Date.now()}-${crypto.randomInt(1_000_000)}`, {
    type: "usage",
    runId: id,
    seq: 1,
    at,
    inputTokens: 1000,
    outputTokens: 100,
    cacheReadTokens: 0,
    costUsd,
  });
  return id;
}

beforeAll(async () => {
  owner = await signUp("owner-costs@example.com");
  alice = await signUp("alice-costs@example.com");
  bob = await signUp("bob-costs@example.com");
  for (const name of ["alpha", "beta"]) {
    const repo = await createTestRepo({ files: { "README.md": "x\n" } });
    expect((await registerRepo(owner, { name, url: repo.url })).status).toBe(201);
  }
  await runWithCost(alice, "alpha", "2026-11-03T09:00:00.000Z", 1.25);
  await runWithCost(bob, "beta", "2026-11-03T23:59:00.000Z", 0.5, { executor: "claude-code", model: "claude-opus-4-6" });
  await runWithCost(alice, "beta", "2026-11-10T12:00:00.000Z", 0.25, { executor: "acp", acpAgent: "goose", model: null, title: "=HYPERLINK(\"x\")" });
  // Not in November, or nothing spent: left out.
  await runWithCost(alice, "alpha", "2026-10-31T23:59:59.000Z", 9);
  await runWithCost(bob, "alpha", "2026-11-05T10:00:00.000Z", 0);
}, 120_000);

describe("the cost report", () => {
  it("gives team admins the team's month by day, user, repository, executor and model", async () => {
    const app = await getApp();
    const report = await costReport(app, await principalFor(owner), "2026-11");
    expect(report.scope).toBe("team");
    expect(report.totalUsd).toBeCloseTo(2, 9);
    expect(report.runs).toHaveLength(3);
    expect(report.byDay).toHaveLength(30);
    expect(report.byDay[2]).toEqual({ day: "2026-11-03", costUsd: 1.75 });
    expect(report.byDay[9]).toEqual({ day: "2026-11-10", costUsd: 0.25 });
    expect(report.byDay.filter((d) => d.costUsd > 0)).toHaveLength(2);
    expect(report.byUser).toEqual([
      { key: "alice-costs@example.com", costUsd: 1.5, runs: 2 },
      { key: "bob-costs@example.com", costUsd: 0.5, runs: 1 },
    ]);
    expect(report.byRepository).toEqual([
      { key: "alpha", costUsd: 1.25, runs: 1 },
      { key: "beta", costUsd: 0.75, runs: 2 },
    ]);
    expect(report.byExecutor.map((s) => s.key)).toEqual(["agent", "claude-code", "acp: goose"]);
    expect(report.byModel.map((s) => [s.key, s.costUsd])).toEqual([
      ["claude-sonnet-4-6", 1.25],
      ["claude-opus-4-6", 0.5],
      ["(agent's own)", 0.25],
    ]);
  });

  it("gives a member their own runs only", async () => {
    const report = await costReport(await getApp(), await principalFor(alice), "2026-11");
    expect(report.scope).toBe("own");
    expect(report.totalUsd).toBeCloseTo(1.5, 9);
    expect(report.byUser).toEqual([{ key: "alice-costs@example.com", costUsd: 1.5, runs: 2 }]);
  });

  it("exports the same runs as CSV, a formula-like title defused", async () => {
    const res = await call(costsCsvRoute, "/api/team/costs.csv?month=2026-11", { as: owner });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toContain("agentdesk-costs-2026-11.csv");
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe("created_at,run_id,title,user,repository,executor,model,input_tokens,output_tokens,cache_read_tokens,cost_usd");
    expect(lines).toHaveLength(4);
    const costs = lines.slice(1).map((l) => Number(l.split(",").at(-1)));
    expect(costs.reduce((a, b) => a + b, 0)).toBeCloseTo(2, 9);
    expect(lines[3]).toContain(`"'=HYPERLINK(""x"")"`);
    expect(lines[3]).toContain("acp: goose");

    const mine = await call(costsCsvRoute, "/api/team/costs.csv?month=2026-11", { as: bob });
    expect((await mine.text()).trimEnd().split("\r\n")).toHaveLength(2);
    const bad = await call(costsCsvRoute, "/api/team/costs.csv?month=2026-13", { as: owner });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("month");
  });
});

describe("the limits API", () => {
  it("lets admins set limits, shows members their own line, and refuses bad input naming the field", async () => {
    const set = await call(setLimitRoute, "/api/team/budgets", { as: owner, method: "PUT", body: { scope: "user", userId: alice.userId, limitUsd: 3 } });
    expect(set.status, await set.clone().text()).toBe(200);
    const negative = await call(setLimitRoute, "/api/team/budgets", { as: owner, method: "PUT", body: { scope: "team", limitUsd: -1 } });
    expect(negative.status).toBe(400);
    expect(await negative.text()).toContain("limitUsd");
    const noUser = await call(setLimitRoute, "/api/team/budgets", { as: owner, method: "PUT", body: { scope: "user", limitUsd: 1 } });
    expect(noUser.status).toBe(400);
    expect(await noUser.text()).toContain("userId");
    // A user of another team is not a member here.
    const stranger = await otherTeam();
    const elsewhere = await call(setLimitRoute, "/api/team/budgets", { as: owner, method: "PUT", body: { scope: "user", userId: stranger.owner.userId, limitUsd: 1 } });
    expect(elsewhere.status).toBe(404);
    expect((await call(setLimitRoute, "/api/team/budgets", { as: bob, method: "PUT", body: { scope: "team", limitUsd: 1 } })).status).toBe(403);

    const seen = (await (await call(getBudgetsRoute, "/api/team/budgets?month=2026-11", { as: alice })).json()) as {
      budgets: { canManage: boolean; members: { email: string; limitUsd: number | null; spendUsd: number }[] };
    };
    expect(seen.budgets.canManage).toBe(false);
    expect(seen.budgets.members).toEqual([expect.objectContaining({ email: "alice-costs@example.com", limitUsd: 3, spendUsd: 1.5 })]);
    const all = (await (await call(getBudgetsRoute, "/api/team/budgets?month=2026-11", { as: owner })).json()) as {
      budgets: { team: { spendUsd: number }; members: unknown[] };
    };
    expect(all.budgets.team.spendUsd).toBeCloseTo(2, 9);
    expect(all.budgets.members).toHaveLength(3);
  });

  it("rebuilds the limits and the month's spend in Redis from the database", async () => {
    const app = await getApp();
    const teamId = (await principalFor(owner)).team!.id;
    const keys = budgetKeys(app.config.redisPrefix);
    await app.redis.del(keys.limits(teamId), keys.spend(teamId, "2026-11"));
    await rebuildBudgetMirror(mirrorOf(app), new Date("2026-11-20T00:00:00Z"));
    expect(await app.redis.hget(keys.limits(teamId), `user:${alice.userId}`)).toBe("3");
    expect(await app.redis.hget(keys.limits(teamId), "loaded")).toBe("1");
    expect(Object.keys(await app.redis.hgetall(keys.spend(teamId, "2026-11")))).toHaveLength(3);
    // Last month's runs too (a run of October may still be running in November).
    expect(Object.keys(await app.redis.hgetall(keys.spend(teamId, "2026-10")))).toHaveLength(1);
  });
});
