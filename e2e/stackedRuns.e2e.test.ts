import crypto from "node:crypto";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestRepo, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { insertRepository } from "./support/repos";
import { signUpInBrowser } from "./support/ui";

/**
 * Stacked and dependent runs in the browser: "Continue from this run" on a run awaiting review
 * starts a run stacked on its branch, whose page lists the stack in push order and refuses a
 * push before the parent's; "Wait for runs" on the New run form makes a run that waits
 * ("Waiting for run X", the status in the runs list) until its dependency finished.
 */
const { url, databaseUrl, screensDir } = inject("stack");

let browser: Browser;
let page: Page;
let repo: TestRepo;
let db: pg.Client;
let pageErrors: string[] = [];
let parentId = "";
let childId = "";
const email = `stacked-${crypto.randomBytes(3).toString("hex")}@example.com`;
const repoName = `stacked-${crypto.randomBytes(3).toString("hex")}`;

const runIdOf = (p: Page) => p.url().split("/").pop()!.split("?")[0]!;
const status = (value: string) => page.locator(`[data-testid="run-status"] [data-status="${value}"]`).waitFor({ timeout: 60_000 });
const submit = (body: Record<string, unknown>) =>
  page.evaluate(async (body) => {
    const res = await fetch("/api/runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return (await res.json()) as { id: string };
  }, body);

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  pageErrors = collectPageErrors(page);
  repo = await createTestRepo({ files: { "README.md": "# stacked\n" } });
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await signUpInBrowser(page, url, email);
  await insertRepository(db, { name: repoName, url: repo.url, userEmail: email });
});

afterAll(async () => {
  await db?.end();
  await browser?.close();
  await repo?.remove();
});

describe("stacked runs", () => {
  it("continues a run awaiting review: the new run is stacked on its branch and shows the chain", async () => {
    parentId = (await submit({ repo: repoName, executor: "cli", command: "echo parent > parent.txt", prompt: "the parent" })).id;
    await page.goto(`${url}/runs/${parentId}`);
    await status("awaiting_review");
    await page.click('[data-testid="continue-run"]');
    const form = page.locator('[data-testid="continue-form"]');
    await form.waitFor();
    await screenshot(page, screensDir, "60-continue-form");
    await form.locator("#continue-command").fill("cat parent.txt > child.txt");
    await form.locator('button:has-text("Start stacked run")').click();
    await page.waitForURL((u) => /\/runs\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(parentId));
    childId = runIdOf(page);
    await status("awaiting_review");
    const chain = page.locator('[data-testid="run-stack-chain"]');
    await chain.waitFor();
    expect(await chain.textContent()).toContain("the parent");
    expect(await page.locator('[data-testid="run-push-order"]').textContent()).toContain("first");
    // Its diff holds only its own file; its workspace had the parent's.
    const patch = await page.evaluate(async (id) => (await fetch(`/api/runs/${id}/diff?format=patch`)).text(), childId);
    expect(patch).toContain("+parent");
    expect(patch).not.toContain("parent.txt");
    await screenshot(page, screensDir, "61-stacked-run");
    // Out of order: refused, naming the parent.
    await page.click('button:has-text("Push branch")');
    await page.locator('[role="alert"]', { hasText: parentId }).first().waitFor();
  });
});

describe("dependent runs", () => {
  it("waits for the run chosen on the New run form, shown in the list and on its page", async () => {
    const blocker = (await submit({ repo: repoName, executor: "cli", command: "sleep 15 && echo b > b.txt", prompt: "the slow one" })).id;
    await page.goto(`${url}/runs/new`);
    const field = page.locator('[data-testid="depends-on-field"]');
    await field.waitFor();
    await page.selectOption("#repo", repoName);
    await page.check('input[name="executor"][value="cli"]');
    await page.locator("#command").fill("echo after > after.txt");
    await field.locator("label", { hasText: "the slow one" }).click();
    await screenshot(page, screensDir, "62-new-run-depends-on");
    await page.click('button:has-text("Start run")');
    await page.waitForURL((u) => /\/runs\/[0-9a-f-]{36}$/.test(u.pathname));
    const waitingId = runIdOf(page);
    await status("waiting_dependencies");
    await page.reload();
    expect(await page.locator('[data-testid="run-waiting-for"]').textContent()).toContain("the slow one");
    await screenshot(page, screensDir, "63-waiting-run");
    await page.goto(`${url}/`);
    await page.locator(`[data-status="waiting_dependencies"]`).first().waitFor();
    await screenshot(page, screensDir, "64-runs-list-waiting");
    // Cancelling the dependency cancels the waiting run, naming it.
    await page.evaluate(async (id) => fetch(`/api/runs/${id}/cancel`, { method: "POST" }), blocker);
    await page.goto(`${url}/runs/${waitingId}`);
    await status("cancelled");
    expect(pageErrors.filter((e) => !e.includes("status of 409 (Conflict)"))).toEqual([]);
  });

  it("fits a phone: the stack view and the continue form without sideways scrolling", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, storageState: await page.context().storageState() });
    const phonePage = await phone.newPage();
    await phonePage.goto(`${url}/runs/${childId}`);
    await phonePage.locator('[data-testid="run-stack-chain"]').waitFor();
    await phonePage.click('[data-testid="continue-run"]');
    const form = phonePage.locator('[data-testid="continue-form"]');
    await form.waitFor();
    expect(await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    expect((await phonePage.locator('[data-testid="continue-run"]').boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await screenshot(phonePage, screensDir, "65-phone-stacked-run");
    await phone.close();
  });
});
