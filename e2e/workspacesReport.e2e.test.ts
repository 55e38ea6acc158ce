import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestRepo, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { insertStackRepository } from "./support/repos";
import { signUpInBrowser } from "./support/ui";

/**
 * Issue 15 items 6 and 7 in Chromium against the real stack (web, the real job process, git,
 * sandbox): a shell-command run awaits review; its page's "Download report" saves the Markdown
 * report; Admin → Workspaces lists the run's workspace on the stack's job process with its
 * size, and Delete (confirmed) removes it from the job process's disk. Both themes, phone width.
 */
const { url, databaseUrl, screensDir, dataDir } = inject("stack");

let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
let repo: TestRepo;
let db: pg.Client;
const repoName = `ws-${crypto.randomBytes(3).toString("hex")}`;
const email = `ws-admin-${crypto.randomBytes(3).toString("hex")}@example.com`;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })).newPage();
  pageErrors = collectPageErrors(page);
  repo = await createTestRepo({ files: { "README.md": "# workspaces\n" } });
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await insertStackRepository(db, { name: repoName, url: repo.url });
});

afterAll(async () => {
  await db?.end();
  await browser?.close();
  await repo?.remove();
});

async function statusOf(runId: string): Promise<string> {
  const res = await page.request.get(`${url}/api/runs/${runId}`);
  return ((await res.json()) as { status: string }).status;
}

describe("run report and workspaces admin", () => {
  let runId = "";

  it("downloads a finished run's report from its page", async () => {
    await signUpInBrowser(page, url, email, "correct horse battery", "admin");
    const created = await page.request.post(`${url}/api/runs`, {
      data: { repo: repoName, executor: "cli", command: "printf 'remember the milk\\n' > notes.md", prompt: "Write a <b>notes</b> file\n```\nnot a fence", approvalMode: "auto" },
    });
    expect(created.status(), await created.text()).toBe(201);
    runId = ((await created.json()) as { id: string }).id;
    for (let i = 0; i < 120 && (await statusOf(runId)) !== "awaiting_review"; i++) await page.waitForTimeout(500);
    expect(await statusOf(runId)).toBe("awaiting_review");

    await page.goto(`${url}/runs/${runId}`);
    const link = page.locator('[data-testid="diff-download-report"]');
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toBe(`agentdesk-run-${runId}.md`);
    const md = await fs.readFile((await download.path())!, "utf8");
    expect(md).toContain("Write a <b>notes</b> file\n```\nnot a fence");
    expect(md).toMatch(/- `notes\.md`: added, \+1 −0/);
    expect(md).toContain("Status: **Awaiting review**");
    expect(await page.locator('[data-testid="download-report"]').count()).toBe(1);
  }, 120_000);

  it("lists the run's workspace on the job process and deletes it from its disk", async () => {
    const row = page.locator(`[data-workspace-run="${runId}"]`);
    // The job process reports every 10 s: reload until its report has the run.
    for (let i = 0; i < 30; i++) {
      await page.goto(`${url}/admin/workspaces`);
      await page.locator("main h1").waitFor();
      if (await row.count()) break;
      await page.waitForTimeout(1_000);
    }
    await row.waitFor({ timeout: 1_000 });
    expect(await row.locator("[data-workspace-state]").getAttribute("data-workspace-state")).toBe("left-over");
    expect(await row.textContent()).toMatch(/\d+(\.\d+)? (B|kB|KB|MB)/);
    expect(await page.locator('[data-worker-online="true"]').count()).toBeGreaterThan(0);
    const runFolder = path.join(dataDir, "runs", runId);
    expect(await fs.stat(runFolder).then(() => true, () => false)).toBe(true);

    for (const theme of ["dark", "light"] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await screenshot(page, screensDir, `workspaces-admin-${theme}`);
    }
    await page.emulateMedia({ colorScheme: "dark" });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(390);
    const deleteButton = row.locator('button:has-text("Delete")');
    expect((await deleteButton.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await screenshot(page, screensDir, "workspaces-admin-phone");
    await page.setViewportSize({ width: 1280, height: 900 });

    page.once("dialog", (dialog) => void dialog.accept());
    await deleteButton.click();
    await row.waitFor({ state: "detached", timeout: 15_000 });
    expect(await fs.stat(runFolder).then(() => true, () => false)).toBe(false);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
