import crypto from "node:crypto";
import { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";

/**
 * The admin page shows recorder entries that could not be stored (issue 8): one is written
 * into the running stack's Redis, the web's own recorder parks it, the admin sees it.
 */
const { url, screensDir, redisUrl, redisPrefix } = inject("stack");

let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
let redis: Redis;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  pageErrors = collectPageErrors(page);
  redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  redis?.disconnect();
  await browser?.close();
});

describe("admin page", () => {
  it("lists a parked recorder entry for the admin", async () => {
    // The first user (run.e2e.test.ts signs them up first) is the admin.
    await page.goto(`${url}/sign-in`);
    await page.fill("#email", "admin@example.com");
    await page.fill("#password", "correct horse battery");
    await page.click('button[type="submit"]');
    await page.waitForURL(`${url}/`);

    const runId = `e2e-parked-${crypto.randomBytes(3).toString("hex")}`;
    await redis.xadd(`${redisPrefix}events:all`, "*", "run", runId, "id", "1-1", "seq", "1", "data", JSON.stringify({ type: "not.an.event", at: "x" }));

    await page.locator('nav >> text="Admin"').click();
    await page.waitForURL(`${url}/admin`);
    const row = page.locator(`[data-testid="parked-events"] li:has-text("${runId}")`);
    const deadline = Date.now() + 30_000;
    // The web's recorder reads in blocks of a few seconds; reload until it has parked the entry.
    while ((await row.count()) === 0) {
      if (Date.now() > deadline) throw new Error(`the admin page never listed the parked entry of ${runId}`);
      await new Promise((r) => setTimeout(r, 1_000));
      await page.reload();
    }
    const text = await row.textContent();
    expect(text).toContain("not.an.event");
    expect(text).toContain("not a valid event");
    expect(text).toContain("after 1 try");
    await screenshot(page, screensDir, "20-admin-parked-events");
    expect(pageErrors).toEqual([]);
  });
});
