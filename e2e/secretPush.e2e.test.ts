import crypto from "node:crypto";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestRepo, git, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { signUpInBrowser } from "./support/ui";
import { insertStackRepository } from "./support/repos";

/**
 * Push protection in the browser, against the real stack: a run writes the model key the job
 * process holds (e2e/support/stack.ts) into a file. The diff shows it masked as ***, so the
 * review must say where it is, keep Push disabled, and the server must refuse a push that
 * gets past the button; Discard still works.
 */
const { url, databaseUrl, screensDir } = inject("stack");
const MODEL_KEY = "sk-ant-e2e-key-for-the-scripted-model";

let browser: Browser;
let context: BrowserContext;
let page: Page;
let repo: TestRepo;
let db: pg.Client;
let runId = "";
let pageErrors: string[] = [];
const email = `pushprot-${crypto.randomBytes(3).toString("hex")}@example.com`;
const repoName = `pushprot-${crypto.randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  repo = await createTestRepo({ files: { "README.md": "# push protection\n" } });
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  // Registering repositories is an admin's job; this file's user is not the admin.
  await insertStackRepository(db, { name: repoName, url: repo.url });
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

const FINDING = "Push blocked: src/settings.txt line 2 contains the value of ANTHROPIC_API_KEY";

describe("push protection on the review page", () => {
  it("runs a command that writes the model key into a file", async () => {
    await signUpInBrowser(page, url, email);
    const created = await page.evaluate(
      async ([repoName, first, rest]) => {
        const res = await fetch("/api/runs", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ repo: repoName, approvalMode: "auto", command: `mkdir -p src && printf 'model=x\\nkey=%s%s\\n' ${first} ${rest} > src/settings.txt` }),
        });
        return (await res.json()) as { id: string };
      },
      // In two pieces, so the page's title (the command) does not hold the key itself.
      [repoName, MODEL_KEY.slice(0, 10), MODEL_KEY.slice(10)],
    );
    runId = created.id;
    await waitForStatus(runId, "awaiting_review");
  });

  it("shows where the secret is above Push, keeps Push disabled with the reason, and never the value", async () => {
    await page.goto(`${url}/runs/${runId}/review`);
    const block = page.locator('[data-testid="secret-findings"]');
    await block.waitFor();
    expect(await block.textContent()).toContain(FINDING);
    const push = page.locator('[data-review-form="push"] button[type="submit"]');
    expect(await push.isDisabled()).toBe(true);
    expect(await push.getAttribute("title")).toContain("Push is blocked");
    // The diff viewer shows the line, masked.
    await page.locator('[data-testid="diff-panel"]').getByText("key=***").first().waitFor();
    expect(await page.content()).not.toContain(MODEL_KEY);
    await screenshot(page, screensDir, "secret-push-blocked");

    // The run page's live review says the same.
    await page.goto(`${url}/runs/${runId}`);
    await page.locator('[data-testid="secret-findings"]').getByText(FINDING).waitFor();
    expect(await page.locator('[data-review-form="push"] button[type="submit"]').isDisabled()).toBe(true);
  });

  it("refuses a push that gets past the disabled button, with the reason", async () => {
    await page.goto(`${url}/runs/${runId}/review`);
    const push = page.locator('[data-review-form="push"] button[type="submit"]');
    await push.waitFor();
    // A stale page or a hand-edited one: the server action itself must refuse.
    await push.evaluate((button: HTMLButtonElement) => {
      button.disabled = false;
      button.click();
    });
    const alert = page.locator('[data-review-form="push"] [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(FINDING);
    expect(await statusOf(runId)).toBe("awaiting_review");
    const { rows } = await db.query("select id from review_decision where run_id = $1", [runId]);
    expect(rows).toHaveLength(0);
  });

  it("still discards", async () => {
    await page.goto(`${url}/runs/${runId}/review`);
    await page.click('button:has-text("Discard…")');
    await page.click('button:has-text("Yes, discard")');
    await waitForStatus(runId, "discarded");
    expect(await git(repo.url, "for-each-ref", "refs/heads/agentdesk/")).toBe("");
    expect(pageErrors).toEqual([]);
  });
});
