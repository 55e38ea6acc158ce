import crypto from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { requestHumanInput } from "../jobs/humanInput";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { openJobSide, type JobSide } from "./support/jobSide";
import { ownTeamFor, signUpInBrowser } from "./support/ui";

/**
 * The audit log in the browser, against the real stack: a team's owner approves a tool call on
 * the run page and cancels the run; the Audit log page lists both, newest first, naming the
 * owner; the action filter goes into the URL and the CSV export carries it; a bad filter in the
 * address is named; the page fits a phone in the light theme.
 */
const { url, databaseUrl, screensDir, redisUrl, redisPrefix } = inject("stack");

let browser: Browser;
let page: Page;
let jobSide: JobSide;
let runId = "";
let errors: string[] = [];
const tag = crypto.randomBytes(3).toString("hex");
const ownerEmail = `audit-owner-${tag}@example.com`;
const repoName = `audit-${tag}`;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "dark" })).newPage();
  errors = collectPageErrors(page);
  jobSide = await openJobSide({ databaseUrl, redisUrl, redisPrefix, repoName: `${repoName}-first`, readme: "# audit\n" });
});

afterAll(async () => {
  await browser?.close();
  await jobSide?.close();
});

const rows = () => page.locator('[data-testid="audit-events"] > li');

describe("the audit log page", () => {
  it("records an approval given on the run page, and the cancel after it", async () => {
    await signUpInBrowser(page, url, ownerEmail);
    const teamId = await ownTeamFor(ownerEmail, `Audit ${tag}`);
    await jobSide.db.query("insert into repository (id, team_id, name, url, default_branch) values ($1, $2, $3, $4, 'main')", [
      crypto.randomUUID(),
      teamId,
      repoName,
      jobSide.repo.url,
    ]);
    const created = await page.evaluate(async (repo) => {
      const res = await fetch("/api/runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ repo, command: 'echo "working"; sleep 300' }) });
      return { status: res.status, body: (await res.json()) as { id: string } };
    }, repoName);
    expect(created.status).toBe(201);
    runId = created.body.id;
    await page.goto(`${url}/runs/${runId}`);
    await page.waitForFunction(() => document.querySelector("[data-terminal]")?.textContent?.includes("working"), null, { timeout: 60_000 });
    // The job asks for an approval, as the agent loop would.
    const answered = requestHumanInput(jobSide.inputContext(runId), {
      requestId: "toolu_audit_1",
      kind: "approval",
      tool: "shell",
      input: { command: "npm publish" },
      reasons: ["publishes a package"],
    });
    answered.catch(() => {});
    const approve = page.getByRole("button", { name: "Approve", exact: true }).first();
    await approve.waitFor({ timeout: 30_000 });
    await approve.click();
    expect(await answered).toMatchObject({ decision: "approve", by: ownerEmail });

    const cancelled = await page.evaluate(async (id) => (await fetch(`/api/runs/${id}/cancel`, { method: "POST" })).status, runId);
    expect(cancelled).toBe(200);

    await page.goto(`${url}/settings/audit`);
    await rows().first().waitFor();
    const ours = page.locator(`[data-testid="audit-events"] > li[data-subject="${runId}"]`);
    expect(await ours.evaluateAll((items) => items.map((li) => li.getAttribute("data-action")))).toEqual(["run.cancel", "approval.approve"]);
    const approval = ours.nth(1);
    expect(await approval.textContent()).toContain("Approved a tool call");
    expect(await approval.textContent()).toContain(ownerEmail);
    expect(await approval.textContent()).toContain("tool shell");
    // The run's title links to its page.
    expect(await approval.locator(`a[href="/runs/${runId}"]`).count()).toBe(1);
    await screenshot(page, screensDir, "audit-01-log");
  });

  it("filters by action through the URL, and exports what the filter shows", async () => {
    await page.selectOption("#audit-action", "approval.approve");
    await page.click('button:has-text("Apply filters")');
    await page.waitForURL(/\/settings\/audit\?action=approval\.approve/);
    await rows().first().waitFor();
    expect(new Set(await rows().evaluateAll((items) => items.map((li) => li.getAttribute("data-action"))))).toEqual(new Set(["approval.approve"]));
    expect(await page.locator("#audit-action").inputValue()).toBe("approval.approve");

    const href = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
    expect(href).toBe("/api/audit/export?action=approval.approve&format=csv");
    const csv = await page.evaluate(async (h) => {
      const res = await fetch(h);
      return { type: res.headers.get("content-type"), text: await res.text() };
    }, href!);
    expect(csv.type).toMatch(/^text\/csv/);
    const lines = csv.text.trimEnd().split("\r\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"approval.approve","Approved a tool call","${ownerEmail}"`);
    expect(lines[1]).toContain(`"${runId}"`);
  });

  it("names a bad filter in the address instead of failing", async () => {
    await page.goto(`${url}/settings/audit?from=yesterday`);
    await page.getByRole("alert").filter({ hasText: "not valid" }).waitFor();
    expect(await page.locator('[data-field-error="audit-from"]').textContent()).toMatch(/date/i);
    expect(await rows().count()).toBe(0);
  });

  it("fits a phone in the light theme", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${url}/settings/audit`);
    await rows().first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, screensDir, "audit-02-phone-light");
    expect(errors).toEqual([]);
  });
});
