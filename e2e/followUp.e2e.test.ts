import crypto from "node:crypto";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestRepo, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { insertRepository } from "./support/repos";
import { signUpInBrowser } from "./support/ui";

/**
 * Follow-up in the browser: a pushed run's page offers "Follow-up…", whose form starts a new
 * run from the pushed branch with the same settings and a new command; the new run's page
 * names its parent, the parent's page names the follow-up, and the follow-up's diff holds only
 * its own change (its base is the parent's branch, not the repository's default).
 */
const { url, databaseUrl, screensDir } = inject("stack");

let browser: Browser;
let page: Page;
let repo: TestRepo;
let db: pg.Client;
let pageErrors: string[] = [];
let parentId = "";
let followUpId = "";
const email = `followup-${crypto.randomBytes(3).toString("hex")}@example.com`;
const repoName = `followup-${crypto.randomBytes(3).toString("hex")}`;

type RunRow = { status: string; branch: string; base_branch: string; executor: string; command: string | null; repository_id: string; origin_run_id: string | null; origin_kind: string | null };
const runRow = async (id: string) => (await db.query<RunRow>("select * from run where id = $1", [id])).rows[0]!;
const runIdOf = (p: Page) => p.url().split("/").pop()!.split("?")[0]!;
const status = (value: string) => page.locator(`[data-testid="run-status"] [data-status="${value}"]`).waitFor({ timeout: 60_000 });

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  pageErrors = collectPageErrors(page);
  repo = await createTestRepo({ files: { "README.md": "# follow-up\n" } });
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await signUpInBrowser(page, url, email);
  // This file's user is not the admin, so its repository is put in place directly.
  await insertRepository(db, { name: repoName, url: repo.url, userEmail: email });
});

afterAll(async () => {
  await db?.end();
  await browser?.close();
  await repo?.remove();
});

describe("following up a pushed run", () => {
  it("pushes a finished run, whose page then offers Follow-up", async () => {
    const created = await page.evaluate(async (repo) => {
      const res = await fetch("/api/runs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ repo, executor: "cli", command: "echo first >> README.md", prompt: "first change" }),
      });
      return (await res.json()) as { id: string };
    }, repoName);
    parentId = created.id;
    await page.goto(`${url}/runs/${parentId}`);
    await status("awaiting_review");
    // Before the push there is no follow-up (request changes is the way on then).
    expect(await page.locator('[data-testid="run-follow-ons"] button:has-text("Follow-up")').count()).toBe(0);
    await page.click('button:has-text("Push branch")');
    await status("pushed");
    const parent = await runRow(parentId);
    expect(await repo.remoteSha(parent.branch)).not.toBeNull();
  });

  it("opens the follow-up form naming the pushed branch, and starts a run from it with a new command", async () => {
    const parent = await runRow(parentId);
    await page.click('[data-testid="run-follow-ons"] button:has-text("Follow-up")');
    const form = page.locator('[data-testid="follow-up-form"]');
    await form.waitFor();
    expect(await form.textContent()).toContain(parent.branch);
    await screenshot(page, screensDir, "45-follow-up-form");

    // An empty command is the browser's to refuse (the field is required); nothing is started.
    await form.locator('button:has-text("Start follow-up")').click();
    expect(await form.locator("#follow-up-command").evaluate((t: HTMLTextAreaElement) => t.validity.valueMissing)).toBe(true);
    expect(runIdOf(page)).toBe(parentId);

    await form.locator("#follow-up-command").fill("echo second >> README.md");
    await form.locator('button:has-text("Start follow-up")').click();
    await page.waitForURL((u) => /\/runs\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(parentId));
    followUpId = runIdOf(page);
    expect(await runRow(followUpId)).toMatchObject({
      origin_run_id: parentId,
      origin_kind: "follow_up",
      base_branch: parent.branch,
      repository_id: parent.repository_id,
      executor: "cli",
      command: "echo second >> README.md",
    });
    expect((await runRow(followUpId)).branch).not.toBe(parent.branch);
  });

  it("shows the follow-up's parent on its page, and its diff holds only its own change", async () => {
    const origin = page.locator('[data-testid="run-origin"]');
    await origin.waitFor();
    expect(await origin.textContent()).toMatch(/^Follow-up of /);
    expect(await origin.locator("a").getAttribute("href")).toBe(`/runs/${parentId}`);
    await status("awaiting_review");
    const readme = page.locator('[data-diff-file="README.md"]');
    await readme.waitFor();
    expect(await readme.textContent()).toContain("+1");
    await page.locator('[data-testid="diff-panel"] [data-diff-body]').filter({ hasText: "second" }).waitFor();
    // "first" is in the base (the parent's pushed branch): context, never an added line.
    const patch = await page.evaluate(async (id) => (await fetch(`/api/runs/${id}/diff?format=patch`)).text(), followUpId);
    expect(patch).toContain("+second");
    expect(patch).not.toContain("+first");
    expect(patch).toContain(" first");
    await screenshot(page, screensDir, "46-follow-up-run");
  });

  it("links the parent to its follow-up", async () => {
    await page.locator('[data-testid="run-origin"] a').click();
    await page.waitForURL(`${url}/runs/${parentId}`);
    const derived = page.locator('[data-testid="run-derived"]');
    await derived.waitFor();
    expect(await derived.textContent()).toContain("Followed up by");
    expect(await derived.locator("a").getAttribute("href")).toBe(`/runs/${followUpId}`);
    await screenshot(page, screensDir, "47-follow-up-parent");
    // The diff panel asks again while the recorder has not stored a new diff yet (409): the
    // browser logs each such answer; anything else is an error.
    expect(pageErrors.filter((e) => !e.includes("status of 409 (Conflict)"))).toEqual([]);
  });

  it("fits a phone: the follow-up form without sideways scrolling, with finger-sized buttons", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, storageState: await page.context().storageState() });
    const phonePage = await phone.newPage();
    await phonePage.goto(`${url}/runs/${parentId}`);
    await phonePage.click('[data-testid="run-follow-ons"] button:has-text("Follow-up")');
    const form = phonePage.locator('[data-testid="follow-up-form"]');
    await form.waitFor();
    await form.scrollIntoViewIfNeeded();
    expect(await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    const start = (await form.locator('button:has-text("Start follow-up")').boundingBox())!;
    expect(start.height).toBeGreaterThanOrEqual(44);
    await screenshot(phonePage, screensDir, "48-phone-follow-up-form");
    await phone.close();
  });
});
