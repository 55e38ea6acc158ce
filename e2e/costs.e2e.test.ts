import crypto from "node:crypto";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestRepo, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { insertRepository } from "./support/repos";
import { setScript } from "./support/scriptedModel";
import { signUpInBrowser } from "./support/ui";

/**
 * The cost page with real runs' usage: two agent runs of a fresh team (its owner's and a
 * member's) play scripted model turns that report usage through the real job process and
 * recorder; the owner's page shows the team's total, the spend by user, repository, executor
 * and model as charts with their figures, and the CSV holds the same runs and total; the
 * member sees only their own; the owner sets the team's monthly limit on the page. Both
 * themes, and a phone's width without sideways scrolling.
 */
const { url, databaseUrl, screensDir, modelControlUrl } = inject("stack");

const tag = crypto.randomBytes(3).toString("hex");
const ownerEmail = `costs-owner-${tag}@example.com`;
const memberEmail = `costs-member-${tag}@example.com`;
const repoNames = [`costs-a-${tag}`, `costs-b-${tag}`];

let browser: Browser;
let ownerContext: BrowserContext;
let memberContext: BrowserContext;
let owner: Page;
let member: Page;
let db: pg.Client;
const repos: TestRepo[] = [];
let pageErrors: string[] = [];
const costs: Record<string, number> = {};

/** A team of its own for this file (other files' runs stay out of its costs), owned by `ownerEmail`. */
async function ownTeam(): Promise<void> {
  const teamId = crypto.randomUUID();
  await db.query("insert into team (id, name, slug) values ($1, $2, $3)", [teamId, `Costs ${tag}`, `costs-${tag}`]);
  for (const [email, role] of [
    [ownerEmail, "owner"],
    [memberEmail, "member"],
  ] as const) {
    const { rows } = await db.query<{ id: string }>(`select id from "user" where email = $1`, [email]);
    await db.query("insert into team_member (team_id, user_id, role) values ($1, $2, $3)", [teamId, rows[0]!.id, role]);
    await db.query(`update "user" set current_team_id = $1 where id = $2`, [teamId, rows[0]!.id]);
  }
}

/** An agent run of the page's user whose scripted turns report usage; resolves with its id once it awaits review. */
async function runWithUsage(page: Page, repo: string, inputTokens: number): Promise<string> {
  const name = `c${crypto.randomBytes(4).toString("hex")}`;
  const usage = { input_tokens: inputTokens, output_tokens: 2_000, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  await setScript(modelControlUrl, name, [
    { content: [{ type: "tool_use", name: "write_file", input: { path: "notes.md", content: "costs\n" } }], usage },
    { content: [{ type: "text", text: "Wrote the notes." }], usage },
  ]);
  const created = await page.evaluate(
    async ([repo, prompt]) => {
      const res = await fetch("/api/runs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ repo, prompt, executor: "agent", approvalMode: "auto" }),
      });
      return { status: res.status, body: (await res.json()) as { id: string } };
    },
    [repo, `Write notes [e2e:${name}]`],
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id;
  // Set up in beforeAll, where expect.poll is not available: polled by hand.
  const deadline = Date.now() + 90_000;
  for (;;) {
    const run = await page.evaluate(async (id) => (await (await fetch(`/api/runs/${id}`)).json()) as { status: string; error: string | null }, id);
    if (run.status === "awaiting_review") return id;
    if (["failed", "cancelled", "completed"].includes(run.status) || Date.now() > deadline) throw new Error(`run ${id} is ${run.status}: ${run.error}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const usd = (n: number) => `$${n.toFixed(2)}`;
const sliceText = (page: Page, chart: string, key: string) => page.locator(`[aria-label="Spend by ${chart}, in figures"] [data-slice="${key}"]`).innerText();

beforeAll(async () => {
  browser = await launchBrowser();
  ownerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  memberContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  owner = await ownerContext.newPage();
  member = await memberContext.newPage();
  pageErrors = collectPageErrors(owner);
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await signUpInBrowser(owner, url, ownerEmail);
  await signUpInBrowser(member, url, memberEmail);
  await ownTeam();
  for (const name of repoNames) {
    const repo = await createTestRepo({ files: { "README.md": `# ${name}\n` } });
    repos.push(repo);
    await insertRepository(db, { name, url: repo.url, userEmail: ownerEmail });
  }
  const ownerRun = await runWithUsage(owner, repoNames[0]!, 40_000);
  const memberRun = await runWithUsage(member, repoNames[1]!, 10_000);
  const { rows } = await db.query<{ id: string; cost_usd: number }>("select id, cost_usd from run where id = any($1)", [[ownerRun, memberRun]]);
  for (const r of rows) costs[r.id === ownerRun ? "owner" : "member"] = r.cost_usd;
  expect(costs.owner).toBeGreaterThan(0);
  expect(costs.member).toBeGreaterThan(0);
}, 240_000);

afterAll(async () => {
  await db?.end();
  await browser?.close();
  for (const repo of repos) await repo.remove();
});

describe("the cost page", () => {
  it("shows the team's runs' usage to its owner as charts, and the CSV holds the same", async () => {
    await owner.goto(`${url}/team/costs`);
    const total = costs.owner! + costs.member!;
    await expect.poll(() => owner.locator("[data-cost-total]").getAttribute("data-cost-total")).toBe(total.toFixed(4));
    expect(await owner.locator("[data-cost-total]").innerText()).toBe(usd(total));
    // Each chart drew its bars (recharts' SVG), and the figures beneath say the same.
    for (const chart of ["by-day", "user", "repository", "executor", "model"]) {
      await expect.poll(() => owner.locator(`[data-chart="${chart}"] .recharts-bar-rectangle`).count(), { message: chart }).toBeGreaterThan(0);
    }
    expect(await sliceText(owner, "user", ownerEmail)).toContain(usd(costs.owner!));
    expect(await sliceText(owner, "user", memberEmail)).toContain(usd(costs.member!));
    expect(await sliceText(owner, "repository", repoNames[1]!)).toContain(usd(costs.member!));
    expect(await sliceText(owner, "executor", "agent")).toContain(`${usd(total)} · 2 runs`);
    await screenshot(owner, screensDir, "60-costs-owner");

    const csv = await owner.evaluate(async (href) => {
      const res = await fetch(href);
      return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
    }, (await owner.locator("[data-costs-csv]").getAttribute("href"))!);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain("text/csv");
    const lines = csv.text.trimEnd().split("\r\n");
    expect(lines).toHaveLength(3);
    const csvTotal = lines.slice(1).reduce((sum, l) => sum + Number(l.split(",").at(-1)), 0);
    expect(csvTotal).toBeCloseTo(total, 4);
    expect(lines.slice(1).map((l) => l.split(",")[3]).sort()).toEqual([memberEmail, ownerEmail].sort());
  });

  it("shows a member only their own runs, and no limit forms", async () => {
    await member.goto(`${url}/team/costs`);
    await expect.poll(() => member.locator("[data-cost-total]").getAttribute("data-cost-total")).toBe(costs.member!.toFixed(4));
    expect(await member.getByRole("heading", { name: "By user" }).count()).toBe(0);
    expect(await member.locator("[data-limit-form]").count()).toBe(0);
    expect(await member.locator("[data-own-limit]").innerText()).toContain("no limit");
  });

  it("lets the owner set the team's monthly limit, which the page then shows", async () => {
    const form = owner.locator('[data-limit-form="team"]');
    await form.locator('input[name="limitUsd"]').fill("25");
    await form.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => owner.locator("[data-team-limit]").innerText()).toContain("of $25.00");
  });

  it("pauses a run at the team's limit until the owner raises it on the budget card in their inbox", async () => {
    // The member's next run: its first turn costs as much as each of their earlier run's, and
    // the team's limit leaves room for less than two of those.
    const { rows } = await db.query<{ spent: number }>(
      `select coalesce(sum(cost_usd), 0) as spent from run where team_id = (select current_team_id from "user" where email = $1)`,
      [ownerEmail],
    );
    const turnCost = costs.member! / 2;
    const limit = Math.round((Number(rows[0]!.spent) + turnCost * 1.5) * 100) / 100;
    const set = await owner.evaluate(async (limitUsd) => {
      const res = await fetch("/api/team/budgets", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ scope: "team", limitUsd }) });
      return res.status;
    }, limit);
    expect(set).toBe(200);
    const running = runWithUsage(member, repoNames[1]!, 10_000);

    await owner.goto(`${url}/inbox`);
    const card = owner.locator('[data-input-request^="budget-"][data-input-state="pending"]');
    await card.waitFor({ timeout: 90_000 });
    expect(await card.innerText()).toContain("Spending limit reached");
    expect(await card.innerText()).toContain(`monthly spending limit of $${limit.toFixed(2)}`);
    await screenshot(owner, screensDir, "62-inbox-budget-card");
    // The run's owner, a member, sees the request on the run page but no form: it is not theirs to answer.
    const { rows: paused } = await db.query<{ run_id: string }>(`select run_id from input_request where kind = 'budget' and status = 'pending'`);
    expect(paused).toHaveLength(1);
    const memberView = await member.context().newPage();
    await memberView.goto(`${url}/runs/${paused[0]!.run_id}`);
    await memberView.getByTestId("budget-waits-for-admin").first().waitFor();
    expect(await memberView.getByRole("button", { name: /Raise the/ }).count()).toBe(0);
    await memberView.close();
    await card.locator('input[name="limitUsd"]').fill("100");
    await card.getByRole("button", { name: "Raise the team limit and continue" }).click();
    await owner.locator('[data-input-request^="budget-"] [data-input-outcome="approve"]').waitFor();
    expect(await owner.locator('[data-input-request^="budget-"] [data-input-outcome="approve"]').innerText()).toContain(`Limit raised by ${ownerEmail}`);
    // The run goes on from where it stopped and reaches review.
    await running;
    await owner.goto(`${url}/team/costs`);
    expect(await owner.locator("[data-team-limit]").innerText()).toContain("of $100.00");
  });

  it("reads in the light theme and fits a phone without sideways scrolling", async () => {
    const storageState = await ownerContext.storageState();
    for (const colorScheme of ["light", "dark"] as const) {
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, colorScheme, storageState });
      const page = await phone.newPage();
      await page.goto(`${url}/team/costs`);
      await page.locator('[data-chart="by-day"] .recharts-bar-rectangle').first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      await screenshot(page, screensDir, `61-costs-phone-${colorScheme}`);
      await phone.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
