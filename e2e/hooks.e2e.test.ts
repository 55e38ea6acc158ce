import crypto from "node:crypto";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestRepo, git, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { signUpInBrowser } from "./support/ui";
import { insertStackRepository } from "./support/repos";

/**
 * Repository hooks against the real stack (web, job process, bubblewrap, Chromium): the
 * repository's post-run checks run on a run's changes; a failing one shows in the feed and,
 * prominently, on the review page with its output; the API refuses a push that does not
 * acknowledge it; the page's Push asks "push anyway?" and then pushes.
 */
const { url, databaseUrl, screensDir } = inject("stack");

let browser: Browser;
let context: BrowserContext;
let page: Page;
let repo: TestRepo;
let db: pg.Client;
let runId = "";
let pageErrors: string[] = [];
const email = `hooks-${crypto.randomBytes(3).toString("hex")}@example.com`;
const repoName = `hooks-${crypto.randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  repo = await createTestRepo({ files: { "README.md": "# hooks\n" } });
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await insertStackRepository(db, { name: repoName, url: repo.url });
  // The admin's hooks for this repository, as the environment page saves them.
  const spec = {
    checks: {
      pre: [{ name: "tree is clean", command: "test -f README.md && echo 'README.md found'", timeoutSec: 60 }],
      post: [
        { name: "lint", command: "echo 'no lint problems'", timeoutSec: 60 },
        { name: "tests", command: "echo 'running 2 tests'; echo 'FAIL greets the world: expected \"Hello\" got \"Bye\"' >&2; exit 1", timeoutSec: 60 },
      ],
      onError: [],
    },
  };
  await db.query("insert into repository_environment (repository_id, spec) select id, $2 from repository where name = $1", [repoName, JSON.stringify(spec)]);
});

afterAll(async () => {
  await db?.end();
  await browser?.close();
  await repo?.remove();
});

async function statusOf(id: string): Promise<string | undefined> {
  const { rows } = await db.query<{ status: string }>("select status from run where id = $1", [id]);
  return rows[0]?.status;
}

async function waitForStatus(id: string, status: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await statusOf(id)) !== status) {
    if (Date.now() > deadline) throw new Error(`run ${id} is ${await statusOf(id)}, not ${status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("repository hooks in the browser", () => {
  it("runs the checks around a command run, which reaches review with a failed post-run check", async () => {
    await signUpInBrowser(page, url, email);
    const created = await page.evaluate(async (repoName) => {
      const res = await fetch("/api/runs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ repo: repoName, approvalMode: "auto", command: "echo 'Bye' > greeting.txt" }),
      });
      return (await res.json()) as { id: string };
    }, repoName);
    runId = created.id;
    // The run page open while the run works: its review flags the failed check from the live feed.
    await page.goto(`${url}/runs/${runId}`);
    await page.locator('[data-testid="failed-checks-flag"]').getByText("“tests”").waitFor({ timeout: 60_000 });
    await waitForStatus(runId, "awaiting_review");

    const tests = page.locator('[data-check-step="tests"]');
    await tests.waitFor();
    expect(await tests.getAttribute("data-check-phase")).toBe("post");
    await tests.getByText("FAIL greets the world").first().waitFor();
    expect(await page.locator('[data-check-step="tree is clean"] [data-check-outcome]').getAttribute("data-check-outcome")).toBe("ok");
    await screenshot(page, screensDir, "hooks-run-feed");
  });

  it("shows the failed check prominently on the review page, with its output, and the passed one folded", async () => {
    await page.goto(`${url}/runs/${runId}/review`);
    const flag = page.locator('[data-testid="failed-checks-flag"]');
    await flag.waitFor();
    expect(await flag.textContent()).toContain("A check failed on these changes: “tests”");
    const failed = page.locator('[data-review-check="tests"]');
    expect(await failed.getAttribute("data-check-status")).toBe("failed");
    expect(await failed.locator("[data-check-output]").textContent()).toContain('FAIL greets the world: expected "Hello" got "Bye"');
    expect(await failed.getByText("exit 1", { exact: true }).count()).toBe(1);
    expect(await page.locator('[data-review-check="lint"]').getAttribute("data-check-status")).toBe("passed");
    expect(await page.locator('[data-review-check="lint"] details').getAttribute("open")).toBeNull();
    await screenshot(page, screensDir, "hooks-review-failed-check");
  });

  it("refuses a push through the API that does not acknowledge the failed check", async () => {
    // With the page's session, outside the page (a refused fetch would be a console error there).
    const res = await context.request.post(`${url}/api/runs/${runId}/review`, { data: { action: "push" }, headers: { origin: url } });
    expect(res.status()).toBe(409);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("failed_checks");
    expect(error.message).toContain('"tests"');
    expect(await statusOf(runId)).toBe("awaiting_review");
  });

  it("asks 'push anyway?' on the page, then pushes", async () => {
    await page.goto(`${url}/runs/${runId}/review`);
    await page.locator('[data-testid="push-over-failed-checks"]').click();
    await page.locator('[data-testid="failed-checks-flag"]').getByText("Push anyway?").waitFor();
    await screenshot(page, screensDir, "hooks-review-push-anyway");
    await page.click('button:has-text("Yes, push anyway")');
    await waitForStatus(runId, "pushed");
    expect(await git(repo.url, "for-each-ref", "--format=%(refname)", "refs/heads/agentdesk/")).toContain("refs/heads/agentdesk/");
    const { rows } = await db.query<{ details: { failedChecks?: string[] } }>("select details from audit_event where subject_id = $1 and action = 'review.push'", [runId]);
    expect(rows[0]?.details.failedChecks).toEqual(["tests"]);
  });

  it("fits a phone: the review's checks without sideways scrolling", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await context.storageState() });
    const small = await phone.newPage();
    await small.goto(`${url}/runs/${runId}/review`);
    await small.locator('[data-testid="review-checks"]').waitFor();
    expect(await small.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(small, screensDir, "hooks-review-phone");
    await phone.close();
    expect(pageErrors).toEqual([]);
  });
});
