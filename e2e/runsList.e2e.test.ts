import crypto from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { requestHumanInput, type HumanAnswer } from "../jobs/humanInput";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { openJobSide, type JobSide } from "./support/jobSide";
import { ownTeamFor, signUpInBrowser } from "./support/ui";
import { insertStackRepository } from "./support/repos";

/**
 * The runs list's search and filters in a real browser against the real stack: a user's real
 * cli runs (one waiting for their approval, asked the way the agent loop asks) are narrowed by
 * "Needs me", the search and the repository, each view surviving a reload and the back button
 * (it is the URL); a shell run is titled by its notes; an admin sees whose each run is and
 * filters by owner; on a phone the bar fits.
 */
const { url, databaseUrl, screensDir, redisUrl, redisPrefix } = inject("stack");

const tag = crypto.randomBytes(3).toString("hex");
const userEmail = `lists-user-${tag}@example.com`;
const adminEmail = `lists-admin-${tag}@example.com`;
const repoName = `lists-${tag}`;
const otherRepo = `lists-other-${tag}`;

let browser: Browser;
let userPage: Page;
let adminPage: Page;
let jobSide: JobSide;
let waitingRun = "";
let quickRun = "";
let approval: Promise<HumanAnswer> | null = null;
const pageErrors: string[][] = [];

async function newPage(width: number, height: number): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width, height } })).newPage();
  pageErrors.push(collectPageErrors(page));
  return page;
}

async function createRun(page: Page, body: Record<string, unknown>): Promise<string> {
  return page.evaluate(async (b) => {
    const res = await fetch("/api/runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(b) });
    if (res.status !== 201) throw new Error(`create run: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  }, body);
}

async function waitForStatus(runId: string, status: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await jobSide.db.query("select 1 from run where id = $1 and status = $2", [runId, status])).rows.length === 0) {
    if (Date.now() > deadline) throw new Error(`run ${runId} never reached ${status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const rowsOf = (page: Page) => page.locator('[data-testid="runs-list"] li[data-run-id]');
const rowIds = async (page: Page) => rowsOf(page).evaluateAll((els) => els.map((e) => e.getAttribute("data-run-id")));
/** Waits until the list shows exactly these runs (in any order). */
async function expectRows(page: Page, ids: string[]): Promise<void> {
  await expect.poll(async () => (await rowIds(page)).sort(), { timeout: 15_000 }).toEqual([...ids].sort());
}

beforeAll(async () => {
  browser = await launchBrowser();
  jobSide = await openJobSide({ databaseUrl, redisUrl, redisPrefix, repoName, readme: "# lists\n" });
  await insertStackRepository(jobSide.db, { name: otherRepo, url: jobSide.repo.url });
  userPage = await newPage(1280, 900);
  adminPage = await newPage(1280, 900);
  await signUpInBrowser(adminPage, url, adminEmail, undefined, "admin");
  await signUpInBrowser(userPage, url, userEmail);
  // The two work in a team of their own, with this file's repositories: the lists below are
  // that team's runs, whatever other files' users run in the stack's first team.
  const teamId = await ownTeamFor(adminEmail, `Lists ${tag}`);
  const { rows } = await jobSide.db.query<{ id: string }>(`select id from "user" where email = $1`, [userEmail]);
  await jobSide.db.query(`delete from team_member where user_id = $1`, [rows[0]!.id]);
  await jobSide.db.query(`insert into team_member (team_id, user_id, role) values ($1, $2, 'member')`, [teamId, rows[0]!.id]);
  await jobSide.db.query(`update "user" set current_team_id = $1 where id = $2`, [teamId, rows[0]!.id]);
  await jobSide.db.query(`update repository set team_id = $1 where name = any($2)`, [teamId, [repoName, otherRepo]]);
});

afterAll(async () => {
  if (waitingRun) await userPage.evaluate((id) => fetch(`/api/runs/${id}/cancel`, { method: "POST" }), waitingRun).catch(() => {});
  await browser?.close();
  await jobSide?.close();
});

describe("runs search and filters", () => {
  it("titles a shell run by its notes, and shows a run waiting for the user's approval", async () => {
    waitingRun = await createRun(userPage, { repo: repoName, command: "echo docs; sleep 300", prompt: "Deploy the docs preview" });
    quickRun = await createRun(userPage, { repo: otherRepo, command: "true" });
    await waitForStatus(waitingRun, "running");
    approval = requestHumanInput(jobSide.inputContext(waitingRun), {
      requestId: "toolu_lists_1",
      kind: "approval",
      tool: "shell",
      input: { command: "rm -rf public" },
      reasons: ["deletes files"],
    });
    await waitForStatus(waitingRun, "waiting_input");
    await waitForStatus(quickRun, "completed");
    await userPage.goto(`${url}/`);
    await expectRows(userPage, [waitingRun, quickRun]);
    const title = userPage.locator(`li[data-run-id="${waitingRun}"] a`).first();
    expect(await title.textContent()).toBe("Deploy the docs preview");
    expect(await userPage.locator(`li[data-run-id="${quickRun}"] a`).first().textContent()).toBe("true");
    // The team's runs say whose they are, and can be filtered by owner.
    expect(await userPage.locator('[data-testid="run-owner"]').count()).toBe(2);
    expect(await userPage.getByLabel("Owner").count()).toBe(1);
  });

  it('"Needs me" narrows the list to the run waiting for the user, and survives a reload', async () => {
    await userPage.getByRole("button", { name: "Needs me" }).click();
    await userPage.waitForURL(/needsMe=1/);
    await expectRows(userPage, [waitingRun]);
    await userPage.reload();
    await expectRows(userPage, [waitingRun]);
    expect(await userPage.getByRole("button", { name: "Needs me" }).getAttribute("aria-pressed")).toBe("true");
    await screenshot(userPage, screensDir, "lists-01-needs-me");
  });

  it("searches, filters by repository, and goes back with the browser", async () => {
    await userPage.getByRole("button", { name: "Clear filters" }).click();
    await userPage.waitForURL(`${url}/`);
    await expectRows(userPage, [waitingRun, quickRun]);

    await userPage.getByLabel("Search runs").fill("docs preview");
    await userPage.waitForURL(/q=docs\+preview/);
    await expectRows(userPage, [waitingRun]);
    await userPage.reload();
    await expectRows(userPage, [waitingRun]);
    expect(await userPage.getByLabel("Search runs").inputValue()).toBe("docs preview");

    await userPage.getByLabel("Search runs").fill("");
    await userPage.waitForURL(`${url}/`);
    await userPage.getByLabel("Repository").selectOption(otherRepo);
    await userPage.waitForURL(new RegExp(`repo=${otherRepo}`));
    await expectRows(userPage, [quickRun]);
    await userPage.getByLabel("Status").selectOption("waiting_input");
    await userPage.waitForURL(/status=waiting_input/);
    await userPage.getByTestId("runs-empty").waitFor();
    await userPage.reload();
    await userPage.getByTestId("runs-empty").waitFor();
    expect(await userPage.getByLabel("Status").inputValue()).toBe("waiting_input");

    await userPage.goBack();
    await userPage.waitForURL(new RegExp(`/\\?repo=${otherRepo}$`));
    await expectRows(userPage, [quickRun]);
    expect(await userPage.getByLabel("Status").inputValue()).toBe("");
    await userPage.getByLabel("Executor").selectOption("agent");
    await userPage.getByTestId("runs-empty").waitFor();
  });

  it("shows an admin whose each run is, and filters by owner", async () => {
    await adminPage.goto(`${url}/`);
    const owner = adminPage.locator(`li[data-run-id="${waitingRun}"] [data-testid="run-owner"]`);
    await owner.waitFor();
    expect(await owner.textContent()).toContain(userEmail.split("@")[0]);
    await adminPage.getByLabel("Owner").selectOption(userEmail);
    await adminPage.waitForURL(/owner=/);
    await expectRows(adminPage, [waitingRun, quickRun]);
    await adminPage.reload();
    await expectRows(adminPage, [waitingRun, quickRun]);
    await screenshot(adminPage, screensDir, "lists-02-admin-owner");
    // The user's approval waits for the user, not for the team admin who can act on it.
    await adminPage.getByRole("button", { name: "Needs me" }).click();
    await adminPage.waitForURL(/needsMe=1/);
    await adminPage.getByTestId("runs-empty").waitFor();
  });

  it("fits the filter bar on a phone", async () => {
    const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await userPage.context().storageState() })).newPage();
    pageErrors.push(collectPageErrors(phone));
    await phone.goto(`${url}/?needsMe=1`);
    await expectRows(phone, [waitingRun]);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone, screensDir, "lists-03-phone");
  });

  it("lets the run go on once answered, with no page errors", async () => {
    const status = await userPage.evaluate(
      (id) => fetch(`/api/runs/${id}/inputs/toolu_lists_1`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ decision: "approve" }) }).then((r) => r.status),
      waitingRun,
    );
    expect(status).toBe(200);
    expect(await approval).toMatchObject({ decision: "approve" });
    expect(pageErrors.flat()).toEqual([]);
  });
});
