import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestRepo, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { ownTeamFor, signUpInBrowser } from "./support/ui";

const { url, databaseUrl, screensDir, dataDir } = inject("stack");

// Prints "step 1", then holds until the test drops the release file into its workspace (at most
// a minute), so the test sees output arrive while the run is still going without racing a sleep.
const RELEASE_FILE = ".release-e2e";
const COMMAND =
  `echo "step 1"; for n in $(seq 600); do [ -e ${RELEASE_FILE} ] && break; sleep 0.1; done; rm -f ${RELEASE_FILE}; ` +
  'for i in 2 3; do echo "step $i"; done; echo "warning: almost done" >&2; echo hello > hello.txt';

/** Lets the held command go on: the release file in each workspace of the run (one per delivery). */
function releaseCommand(runId: string): void {
  const attempts = path.join(dataDir, "runs", runId, "attempts");
  const workspaces = fs.readdirSync(attempts).map((a) => path.join(attempts, a, "workspace")).filter((w) => fs.existsSync(w));
  expect(workspaces.length).toBeGreaterThan(0);
  for (const workspace of workspaces) fs.writeFileSync(path.join(workspace, RELEASE_FILE), "");
}

let browser: Browser;
let context: BrowserContext;
let page: Page;
let repo: TestRepo;
let db: pg.Client;
let runUrl = "";
let pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  repo = await createTestRepo({ files: { "README.md": "# demo\n" } });
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await browser?.close();
  await repo?.remove();
});

async function waitForRow<T extends pg.QueryResultRow>(sql: string, params: unknown[], ok: (row: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { rows } = await db.query<T>(sql, params);
    if (rows[0] && ok(rows[0])) return rows[0];
    if (Date.now() > deadline) throw new Error(`database never showed the expected row for: ${sql} (last: ${JSON.stringify(rows[0])})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("a shell task from sign-up to review", () => {
  it("signs up the first user, who becomes admin", async () => {
    await page.goto(`${url}/`);
    await page.waitForURL(`${url}/sign-in`);
    await screenshot(page, screensDir, "01-sign-in");
    await page.goto(`${url}/sign-up`);
    await screenshot(page, screensDir, "02-sign-up");
    await signUpInBrowser(page, url, "admin@example.com");
    await page.getByText("No repositories yet").waitFor();
    expect(await page.locator('nav[aria-label="Main"] a[href="/admin"]').isVisible()).toBe(true);
    await screenshot(page, screensDir, "03-runs-empty");
  });

  it("registers a local repository, showing a field error for a bad path first", async () => {
    await page.click('nav >> text="Repositories"');
    await page.waitForURL(`${url}/repos`);
    await page.fill("#name", "demo");
    await page.fill("#url", "/definitely/not/a/repo");
    await page.click('button:has-text("Register repository")');
    const urlError = page.locator('[data-field-error="url"]');
    await urlError.waitFor();
    expect(await urlError.textContent()).toContain("No such directory");
    await page.fill("#url", repo.url);
    await page.click('button:has-text("Register repository")');
    await page.locator('[data-repo="demo"]').waitFor();
    await screenshot(page, screensDir, "04-repos");
  });

  it("refuses a cli run without a command, next to the field", async () => {
    await page.click('nav >> text="New run"');
    await page.waitForURL(`${url}/runs/new`);
    // New run opens on the agent when one is available (the stack's is); this test runs a command.
    await page.check('input[name="executor"][value="cli"]');
    await page.click('button:has-text("Start run")');
    const commandError = page.locator('[data-field-error="command"]');
    await commandError.waitFor();
    expect(await commandError.textContent()).toMatch(/required for the cli executor/i);
    expect(await page.locator("[data-form-error]").textContent()).toContain("correct the fields");
    await screenshot(page, screensDir, "05-new-run-validation");
  });

  it("runs the command, streaming its output live, and ends awaiting review with the diff", async () => {
    await page.fill("#command", COMMAND);
    await page.click('button:has-text("Start run")');
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    runUrl = page.url();

    // The first line must show while the command is still held before the others.
    await page.waitForFunction(() => document.querySelector("[data-terminal]")?.textContent?.includes("step 1"), null, { timeout: 60_000 });
    const statusWhileStreaming = await page.getAttribute('[data-testid="run-status"] [data-status]', "data-status");
    const terminalWhileStreaming = await page.locator("[data-terminal]").textContent();
    expect(statusWhileStreaming).toBe("running");
    expect(terminalWhileStreaming).not.toContain("step 3");
    await screenshot(page, screensDir, "06-run-live");
    releaseCommand(runUrl.split("/").pop()!);

    await page.locator('[data-testid="run-status"] [data-status="awaiting_review"]').waitFor({ timeout: 60_000 });
    const terminal = await page.locator("[data-terminal]").textContent();
    expect(terminal).toContain("step 3");
    expect(await page.locator('[data-terminal] [data-stream="stderr"]').first().textContent()).toContain("warning: almost done");
    expect(await page.locator('[data-tool-outcome="ok"]').count()).toBe(1);

    const file = page.locator('[data-diff-file="hello.txt"]');
    await file.waitFor();
    expect(await file.textContent()).toContain("+1");
    await page.locator('[data-testid="diff-panel"] [data-diff-body]').filter({ hasText: "hello" }).waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, screensDir, "07-run-finished");
    expect(pageErrors).toEqual([]);
  });

  it("recorded the run and its events in the database", async () => {
    const runId = runUrl.split("/").pop()!;
    const row = await waitForRow<{ status: string; branch: string; head_sha: string | null }>(
      "select status, branch, head_sha from run where id = $1",
      [runId],
      (r) => r.status === "awaiting_review",
    );
    expect(row.head_sha).toMatch(/^[0-9a-f]{40}$/);
    const { rows } = await db.query<{ type: string }>("select type from run_event where run_id = $1 order by stream_ms, stream_seq", [runId]);
    const types = rows.map((r) => r.type);
    for (const t of ["run.queued", "run.started", "workspace.ready", "tool.started", "log", "tool.finished", "diff.ready", "run.awaiting_review"]) {
      expect(types).toContain(t);
    }
    expect(types[types.length - 1]).toBe("run.awaiting_review");
    const diff = await db.query<{ files: { path: string; additions: number }[] }>("select files from run_diff where run_id = $1", [runId]);
    expect(diff.rows[0]!.files).toEqual([expect.objectContaining({ path: "hello.txt", additions: 1 })]);
  });

  it("lists the run on the runs page and creates an API token shown once", async () => {
    await page.goto(`${url}/`);
    await page.locator('[data-testid="runs-list"] [data-status="awaiting_review"]').waitFor();
    await screenshot(page, screensDir, "08-runs-list");

    // The top nav leads to Settings; its own sub-nav to API tokens.
    await page.click('nav[aria-label="Main"] >> text="Settings"');
    await page.waitForURL(`${url}/settings/notifications`);
    await page.click('nav[aria-label="Settings"] >> text="API tokens"');
    await page.waitForURL(`${url}/settings/tokens`);
    await page.fill("#name", "CI nightly");
    await page.click('button:has-text("Create token")');
    const token = await page.locator("[data-token]").textContent();
    expect(token).toMatch(/^adk_/);
    const res = await fetch(`${url}/api/runs`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { runs: unknown[] }).runs).toHaveLength(1);
    await page.locator('[data-testid="token-list"]').getByText("CI nightly").waitFor();
    await screenshot(page, screensDir, "09-tokens");
  });

  it("cancels a running command from its page", async () => {
    await page.goto(`${url}/runs/new`);
    await page.check('input[name="executor"][value="cli"]');
    await page.fill("#command", 'echo "waiting for a minute"; sleep 60; echo never > never.txt');
    await page.click('button:has-text("Start run")');
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    await page.waitForFunction(() => document.querySelector("[data-terminal]")?.textContent?.includes("waiting for a minute"), null, { timeout: 60_000 });
    await page.click('button:has-text("Cancel run")');
    // Cancel asks first (e2e/newRun.e2e.test.ts checks the first click alone cancels nothing).
    await page.click('button:has-text("Yes, cancel run")');
    await page.locator('[data-testid="run-status"] [data-status="cancelled"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-event="run.cancelled"]').waitFor();
    expect(await page.locator('button:has-text("Cancel run")').count()).toBe(0);
    await screenshot(page, screensDir, "10a-run-cancelled");
  });

  it("fits a phone screen", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, storageState: await context.storageState() });
    const phonePage = await phone.newPage();
    await phonePage.goto(runUrl);
    await phonePage.locator('[data-diff-file="hello.txt"]').waitFor();
    const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phonePage, screensDir, "10-phone-run");
    await phonePage.goto(`${url}/`);
    await phonePage.locator('[data-testid="runs-list"]').waitFor();
    await screenshot(phonePage, screensDir, "11-phone-runs", false);
    await phone.close();
  });
});

describe("reviewing and pushing the run", () => {
  it("reads the diff in split view, remembered on the full-width review", async () => {
    await page.goto(runUrl);
    await page.locator('[data-diff-file="hello.txt"]').waitFor();
    await page.locator('[data-diff-body="unified"]').filter({ hasText: "hello" }).waitFor();
    expect(await page.locator('[data-testid="feedback-refusal"]').textContent()).toContain("a shell-command run cannot take feedback");
    await page.click('[data-diff-mode="split"]');
    await page.locator('[data-diff-body="split"]').filter({ hasText: "hello" }).waitFor();
    expect(await repo.remoteSha(await branchOf(runUrl))).toBeNull();
    await screenshot(page, screensDir, "14-review-split");

    await page.click('a:has-text("Full-width review")');
    await page.waitForURL(`${runUrl}/review`);
    await page.locator('[data-diff-body="split"]').filter({ hasText: "hello" }).waitFor();
    await screenshot(page, screensDir, "15-review-page");
  });

  it("pushes, shows pushed, and the branch is on the remote at the reviewed commit", async () => {
    await page.click('button:has-text("Push branch")');
    await page.waitForURL(runUrl);
    await page.locator('[data-testid="run-status"] [data-status="pushed"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-event="review.decided"]').waitFor();
    await page.locator('[data-event="push.finished"]').waitFor();
    const runId = runUrl.split("/").pop()!;
    const row = await waitForRow<{ head_sha: string; branch: string }>("select head_sha, branch, status from run where id = $1", [runId], (r) => Boolean(r.head_sha));
    expect(await repo.remoteSha(row.branch)).toBe(row.head_sha);
    const decisions = await db.query<{ action: string; by_email: string }>("select action, by_email from review_decision where run_id = $1", [runId]);
    expect(decisions.rows).toEqual([{ action: "push", by_email: "admin@example.com" }]);
    expect(await page.locator('[data-testid="review-actions"]').count()).toBe(0);
    await screenshot(page, screensDir, "16-pushed");
    expect(pageErrors).toEqual([]);
  });
});

async function branchOf(url: string): Promise<string> {
  const { rows } = await db.query<{ branch: string }>("select branch from run where id = $1", [url.split("/").pop()]);
  return rows[0]!.branch;
}

describe("another user", () => {
  it("sees better-auth's message for a wrong password", async () => {
    const stranger = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const strangerPage = await stranger.newPage();
    await strangerPage.goto(`${url}/sign-in`);
    await strangerPage.fill("#email", "admin@example.com");
    await strangerPage.fill("#password", "not the password");
    await strangerPage.click('button[type="submit"]');
    const error = strangerPage.locator("[data-form-error]");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/invalid email or password/i);
    await screenshot(strangerPage, screensDir, "01b-sign-in-error");
    await stranger.close();
  });


  it("in another team, gets the not-found page for the first user's run, and no repositories page", async () => {
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const otherPage = await other.newPage();
    const someone = `someone-${crypto.randomBytes(3).toString("hex")}@example.com`;
    await signUpInBrowser(otherPage, url, someone);
    // A member of another team (the invitation made them a member of the first user's).
    await ownTeamFor(someone, "Someone's team", "member");
    await otherPage.reload();
    expect(await otherPage.locator('nav >> text="Repositories"').count()).toBe(0);
    const response = await otherPage.goto(runUrl);
    expect(response?.status()).toBe(404);
    await otherPage.getByText("Nothing here").waitFor();
    await screenshot(otherPage, screensDir, "12-not-found");
    await otherPage.goto(`${url}/repos`);
    await otherPage.getByText("Admins only").waitFor();
    await screenshot(otherPage, screensDir, "13-admins-only");
    await other.close();
  });
});
