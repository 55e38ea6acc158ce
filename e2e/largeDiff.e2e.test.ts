import crypto from "node:crypto";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestRepo, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { signUpInBrowser } from "./support/ui";
import { insertStackRepository } from "./support/repos";

/**
 * A large diff in the browser (issue 13, item 14): a cli run adds 201 files (199 sources of 30
 * lines, one 450-line file, one lock file; 6,423 lines). The review page lists every file with
 * its counts, keeps only a bounded number of file diffs in the DOM (virtualised), jumps to a
 * file far down, starts the large and the lock file collapsed with a way to show them, filters
 * by path, and fits a phone. Speed is measured in bench/largeDiff.ts, not here.
 */
const { url, databaseUrl, screensDir } = inject("stack");

const SOURCES = 199;
const COMMAND =
  `mkdir -p src tables && for i in $(seq -w 1 ${SOURCES}); do for n in $(seq 1 30); do echo "export const v$n = $n; // file $i line $n"; done > src/f$i.ts; done` +
  ` && seq 1 450 > tables/big.txt && printf '# yarn lockfile v1\\n\\nleft-pad@1.3.0:\\n' > yarn.lock`;
// git lists files by path: src/f001.ts … src/f199.ts, tables/big.txt, yarn.lock.
const TOTAL = SOURCES + 2;
// Far more than fit a screen, far fewer than the 201 files.
const MAX_FILE_DIFFS_IN_DOM = 40;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let repo: TestRepo;
let db: pg.Client;
let runId = "";
let pageErrors: string[] = [];
const email = `largediff-${crypto.randomBytes(3).toString("hex")}@example.com`;
const repoName = `largediff-${crypto.randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  repo = await createTestRepo({ files: { "README.md": "# large diff\n" } });
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

async function waitForReview(id: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { rows } = await db.query<{ status: string; diffs: string }>(
      "select status, (select count(*) from run_diff where run_id = run.id) as diffs from run where id = $1",
      [id],
    );
    if (rows[0]?.status === "awaiting_review" && Number(rows[0].diffs) > 0) return;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${rows[0]?.status}, not awaiting review with a diff`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Every row of the virtualised file list, read by scrolling its box from top to bottom. */
async function readFileList(p: Page): Promise<Map<string, string>> {
  const rows = new Map<string, string>();
  await p.evaluate(() => document.querySelector('[data-testid="diff-file-list"]')!.scrollTo(0, 0));
  for (;;) {
    const { seen, atEnd } = await p.evaluate(() => {
      const box = document.querySelector('[data-testid="diff-file-list"]')!;
      const seen = [...box.querySelectorAll("[data-diff-file]")].map((li) => [li.getAttribute("data-diff-file")!, li.textContent ?? ""] as const);
      const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 1;
      box.scrollBy(0, box.clientHeight - 40);
      return { seen, atEnd };
    });
    for (const [path, text] of seen) rows.set(path, text);
    if (atEnd) return rows;
    // The virtualizer renders the rows for the new position after the scroll event.
    await p.waitForFunction(() => {
      const box = document.querySelector('[data-testid="diff-file-list"]')!;
      const view = box.getBoundingClientRect();
      const rects = [...box.querySelectorAll("[data-diff-file]")].map((li) => li.getBoundingClientRect());
      return rects.some((r) => r.top <= view.top + 1) && rects.some((r) => r.bottom >= Math.min(view.bottom, view.top + box.scrollHeight - box.scrollTop) - 1);
    });
  }
}

const fileDiffsInDom = (p: Page) => p.locator("[data-diff-section]").count();

describe("a run changing 201 files", () => {
  it("runs a command that adds 201 files", async () => {
    await signUpInBrowser(page, url, email);
    const created = await page.evaluate(
      async ([repo, command]) => {
        const res = await fetch("/api/runs", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ repo, command, approvalMode: "auto", timeoutSec: 300 }),
        });
        return (await res.json()) as { id: string };
      },
      [repoName, COMMAND],
    );
    runId = created.id;
    await waitForReview(runId);
  });

  it("lists all 201 files with their counts and keeps only a few file diffs in the DOM", async () => {
    await page.goto(`${url}/runs/${runId}/review`);
    await page.locator('[data-diff-section="src/f001.ts"] [data-diff-body]').filter({ hasText: "file 001 line 30" }).waitFor();
    expect(await page.locator('[data-testid="diff-file-count"]').textContent()).toBe(`${TOTAL} files`);
    expect(await page.getAttribute('[data-testid="diff-file-list"]', "data-file-count")).toBe(String(TOTAL));

    const rows = await readFileList(page);
    expect(rows.size).toBe(TOTAL);
    for (let i = 1; i <= SOURCES; i++) {
      const path = `src/f${String(i).padStart(3, "0")}.ts`;
      expect(rows.get(path), path).toMatch(/\+30\s*−0$/);
    }
    expect(rows.get("tables/big.txt")).toMatch(/\+450\s*−0$/);
    expect(rows.get("yarn.lock")).toMatch(/\+3\s*−0$/);

    const inDom = await fileDiffsInDom(page);
    expect(inDom).toBeGreaterThan(0);
    expect(inDom).toBeLessThan(MAX_FILE_DIFFS_IN_DOM);
    await screenshot(page, screensDir, "large-diff-review", false);
  });

  it("jumps to file 150 from the list: its diff is shown, in view, focused, and the DOM stays bounded", async () => {
    const path = "src/f150.ts";
    // The list is virtualised too: scroll its box until the row is rendered.
    await page.evaluate(() => document.querySelector('[data-testid="diff-file-list"]')!.scrollTo(0, 140 * 36));
    await page.locator(`[data-testid="diff-file-list"] [data-diff-file="${path}"] a`).click();
    const body = page.locator(`[data-diff-section="${path}"] [data-diff-body]`).filter({ hasText: "file 150 line 1" });
    await body.waitFor();
    await page.waitForFunction(
      (p) => {
        const section = document.querySelector(`[data-diff-section="${p}"]`);
        if (!section) return false;
        const { top } = section.getBoundingClientRect();
        return top >= 0 && top < window.innerHeight / 2 && document.activeElement === section;
      },
      path,
    );
    expect(await page.getAttribute(`[data-testid="diff-file-list"] [data-diff-file="${path}"] a`, "aria-current")).toBe("location");
    expect(await page.locator('[data-diff-section="src/f001.ts"]').count()).toBe(0);
    expect(await fileDiffsInDom(page)).toBeLessThan(MAX_FILE_DIFFS_IN_DOM);
    await screenshot(page, screensDir, "large-diff-jumped", false);
  });

  it("starts the large file and the lock file collapsed, each shown on request; filters by path", async () => {
    await page.fill('[data-testid="diff-filter"]', "yarn.lock");
    await page.locator('[data-testid="diff-file-count"]').filter({ hasText: `1 of ${TOTAL} files` }).waitFor();
    const lock = page.locator('[data-diff-section="yarn.lock"]');
    await lock.getByText("generated or lock file").waitFor();
    expect(await lock.locator("[data-diff-body]").count()).toBe(0);
    await lock.getByRole("button", { name: "Show the diff" }).click();
    await lock.locator("[data-diff-body]").filter({ hasText: "left-pad" }).waitFor();

    await page.fill('[data-testid="diff-filter"]', "big.txt");
    const big = page.locator('[data-diff-section="tables/big.txt"]');
    await big.getByText("450 changed lines: collapsed").waitFor();
    expect(await big.locator("[data-diff-body]").count()).toBe(0);
    await page.getByRole("button", { name: "Expand all" }).click();
    await big.locator("[data-diff-body]").filter({ hasText: "450" }).waitFor();
    await page.getByRole("button", { name: "Collapse all" }).click();
    await big.getByText("450 changed lines: collapsed").waitFor();

    await page.fill('[data-testid="diff-filter"]', "");
    await page.locator('[data-testid="diff-file-count"]').filter({ hasText: `${TOTAL} files` }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it("keeps the run page's diff bounded too", async () => {
    await page.goto(`${url}/runs/${runId}`);
    await page.locator('[data-testid="diff-panel"] [data-diff-section]').first().waitFor({ timeout: 30_000 });
    expect(await page.getAttribute('[data-testid="diff-file-list"]', "data-file-count")).toBe(String(TOTAL));
    expect(await fileDiffsInDom(page)).toBeLessThan(MAX_FILE_DIFFS_IN_DOM);
    expect(pageErrors).toEqual([]);
  });

  it("fits a 390x844 phone without sideways page scroll, unified and split", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, storageState: await context.storageState() });
    try {
      const phonePage = await phone.newPage();
      const phoneErrors = collectPageErrors(phonePage);
      await phonePage.goto(`${url}/runs/${runId}/review`);
      await phonePage.locator('[data-diff-section="src/f001.ts"] [data-diff-body="unified"]').waitFor();
      const overflow = () => phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(await overflow()).toBeLessThanOrEqual(0);
      await screenshot(phonePage, screensDir, "large-diff-phone", false);
      await phonePage.click('[data-diff-mode="split"]');
      await phonePage.locator('[data-diff-section="src/f001.ts"] [data-diff-body="split"]').waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      expect(await fileDiffsInDom(phonePage)).toBeLessThan(MAX_FILE_DIFFS_IN_DOM);
      expect(phoneErrors).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  it("draws the diff in the system's colour scheme, like the rest of the page", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const themed = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 }, storageState: await context.storageState() });
      try {
        const themedPage = await themed.newPage();
        await themedPage.goto(`${url}/runs/${runId}/review`);
        const body = themedPage.locator('[data-diff-section="src/f001.ts"] [data-diff-body]');
        await body.filter({ hasText: "file 001 line 30" }).waitFor();
        await themedPage.locator(`[data-diff-section="src/f001.ts"] [data-theme="${colorScheme}"]`).first().waitFor();
        expect(await themedPage.locator(`[data-diff-section] [data-theme="${colorScheme === "light" ? "dark" : "light"}"]`).count()).toBe(0);
      } finally {
        await themed.close();
      }
    }
  });
});
