import crypto from "node:crypto";
import type { Browser, Page } from "playwright-core";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createRedis } from "../lib/redis";
import { advertiseWorker, withdrawWorker } from "../lib/workerDirectory";
import { launchBrowser, screenshot } from "./support/browser";
import { signUpInBrowser } from "./support/ui";

const { url, screensDir, redisUrl, redisPrefix } = inject("stack");

let browser: Browser;
let page: Page;
let redis: Redis;
const bareWorker = `e2e-unsandboxed-${crypto.randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  redis = createRedis(redisUrl, "worker");
});

afterAll(async () => {
  await withdrawWorker(redis, redisPrefix, bareWorker).catch(() => undefined);
  await redis?.quit();
  await browser?.close();
});

describe("a job process running with SANDBOX=off", () => {
  it("puts a warning on every page and keeps the New run form from non-admins", async () => {
    await signUpInBrowser(page, url, `sandbox-${crypto.randomBytes(3).toString("hex")}@example.com`);
    // The stack's own job process is sandboxed: no warning.
    expect(await page.locator('[data-testid="sandbox-off"]').count()).toBe(0);

    await advertiseWorker(redis, redisPrefix, {
      name: bareWorker,
      startedAt: new Date().toISOString(),
      concurrency: 1,
      activeRuns: 0,
      sandbox: "off",
      executors: [{ name: "cli", available: true }],
    });
    await page.goto(`${url}/`);
    const banner = page.locator('[data-testid="sandbox-off"]');
    await banner.waitFor();
    expect(await banner.textContent()).toContain(`${bareWorker} runs with SANDBOX=off`);
    await page.goto(`${url}/runs/new`);
    await page.locator('[data-testid="runs-admin-only"]').waitFor();
    expect(await page.locator("#command").count()).toBe(0);
    await screenshot(page, screensDir, "20-sandbox-off");

    await withdrawWorker(redis, redisPrefix, bareWorker);
    await page.goto(`${url}/runs/new`);
    await page.locator("form").first().waitFor();
    expect(await page.locator('[data-testid="sandbox-off"]').count()).toBe(0);
    expect(await page.locator('[data-testid="runs-admin-only"]').count()).toBe(0);
  });

  it("lets the admin change which hosts a repository's runs may reach, naming a bad entry", async () => {
    // run.e2e.test.ts (first) signed up this admin and registered "demo".
    const admin = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await admin.goto(`${url}/sign-in`);
    await admin.fill("#email", "admin@example.com");
    await admin.fill("#password", "correct horse battery");
    await admin.click('button[type="submit"]');
    await admin.waitForURL(`${url}/`);
    await admin.goto(`${url}/repos`);
    const form = admin.locator('[data-network-hosts-of="demo"]');
    await form.locator("textarea").fill("registry.npmjs.org\nhttp://evil/");
    await form.locator('button[type="submit"]').click();
    await form.getByText('"http://evil/" is not a host name').waitFor();
    await form.locator("textarea").fill("registry.npmjs.org\npypi.org:443");
    await form.locator('button[type="submit"]').click();
    await form.getByText("Saved: registry.npmjs.org, pypi.org:443").waitFor();
    await admin.reload();
    expect(await admin.locator('[data-network-hosts-of="demo"] textarea').inputValue()).toBe("registry.npmjs.org\npypi.org:443");
    await screenshot(admin, screensDir, "21-repo-network-hosts");
  });
});
