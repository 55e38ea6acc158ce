import crypto from "node:crypto";
import { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { environmentCacheReportKey, type EnvironmentCacheReport } from "../lib/contracts/environment";
import { createTestRepo, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { signUpInBrowser } from "./support/ui";

/**
 * Repository environments (issue 11) from an admin's seat: the environment page of a repository
 * (a field error first, then saved, shown again after a reload and on the repositories page),
 * the admin page listing a job process's cached environments (a report put into the stack's
 * Redis, as a job process writes it) and queuing a clear, and a failed run's Retry button.
 */
const { url, screensDir, redisUrl, redisPrefix } = inject("stack");

let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
let redis: Redis;
let repo: TestRepo;
const repoName = `env-${crypto.randomBytes(3).toString("hex")}`;
const fakeWorker = `e2e-cache-worker-${crypto.randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  pageErrors = collectPageErrors(page);
  redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  repo = await createTestRepo({ files: { "README.md": "# env\n", "package.json": '{ "name": "env-demo" }\n' } });
});

afterAll(async () => {
  await redis?.del(environmentCacheReportKey(redisPrefix, fakeWorker));
  redis?.disconnect();
  await browser?.close();
  await repo?.remove();
});

describe("repository environments", () => {
  it("lets an admin set a repository's environment, refusing a bad host and a bad file path next to their fields", async () => {
    await signUpInBrowser(page, url, "env-admin@example.com", "correct horse battery", "admin");
    const registered = await page.request.post(`${url}/api/repos`, { data: { name: repoName, url: repo.url } });
    expect(registered.status()).toBe(201);

    await page.locator('nav >> text="Repositories"').click();
    await page.waitForURL(`${url}/repos`);
    const line = page.locator(`[data-environment-of="${repoName}"]`);
    expect(await line.textContent()).toContain("none set");
    await line.locator('a:has-text("Set up")').click();
    await page.waitForURL(`${url}/repos/${repoName}/environment`);
    expect(await page.locator('[data-testid="environment-help"]').textContent()).toMatch(/values live in the job process's environment/);

    await page.fill("#env-setupScript", "npm ci\nnpm run build");
    await page.fill("#env-maintenanceScript", "npm install");
    await page.fill("#env-setupHosts", "registry.npmjs.org\nbad_host!");
    await page.fill("#env-setupEnvNames", "NPM_TOKEN");
    await page.fill("#env-cacheKeyFiles", "package-lock.json");
    await page.click('[data-testid="add-secret-file"]');
    const file = page.locator("[data-secret-file]").first();
    await file.locator("input").first().fill("../.env");
    await file.locator("input").nth(1).fill("APP_DOTENV");
    await page.uncheck('input[name="useRepositoryFile"]');
    // A post-run check (repository hooks) without a command yet: refused on its row.
    await page.click('[data-testid="add-check-post"]');
    const check = page.locator('[data-check-row="post"]').first();
    await check.locator('input[id$="-name"]').fill("tests");
    await check.locator('input[id$="-timeoutSec"]').fill("300");
    await page.click('button:has-text("Save environment")');

    expect(await check.locator('[role="alert"]').textContent()).toContain("Command:");
    const hostError = page.locator('[data-field-error="env-setupHosts"]');
    await hostError.waitFor();
    expect(await hostError.textContent()).toContain('"bad_host!" is not a host name');
    expect(await file.locator('[role="alert"]').textContent()).toContain("Path: must not contain `..`");
    // What was typed stays for correcting.
    expect(await page.inputValue("#env-setupScript")).toBe("npm ci\nnpm run build");
    await screenshot(page, screensDir, "40-environment-validation");

    await page.fill("#env-setupHosts", "registry.npmjs.org");
    await file.locator("input").first().fill(".env");
    await check.locator("textarea").fill("npm test");
    await page.click('button:has-text("Save environment")');
    await page.locator('[role="status"]:has-text("Saved")').waitFor();
    await page.locator('[data-testid="environment-saved"]:has-text("env-admin@example.com")').waitFor();

    const saved = await page.request.get(`${url}/api/repos/${repoName}/environment`);
    expect((await saved.json()).environment).toEqual({
      setupScript: "npm ci\nnpm run build",
      maintenanceScript: "npm install",
      setupHosts: ["registry.npmjs.org"],
      setupEnvNames: ["NPM_TOKEN"],
      cacheKeyFiles: ["package-lock.json"],
      files: [{ path: ".env", env: "APP_DOTENV" }],
      useRepositoryFile: false,
      checks: { pre: [], post: [{ name: "tests", command: "npm test", timeoutSec: 300 }], onError: [] },
      checkEnvNames: [],
      checkHosts: [],
    });

    // A fresh page shows what was saved.
    await page.reload();
    expect(await page.inputValue("#env-setupScript")).toBe("npm ci\nnpm run build");
    expect(await page.inputValue("#env-setupHosts")).toBe("registry.npmjs.org");
    expect(await page.locator("[data-secret-file] input").first().inputValue()).toBe(".env");
    expect(await page.isChecked('input[name="useRepositoryFile"]')).toBe(false);
    await screenshot(page, screensDir, "41-environment-saved");

    await page.goto(`${url}/repos`);
    expect(await page.locator(`[data-environment-of="${repoName}"]`).textContent()).toMatch(/npm ci · cached by package-lock.json · reaches registry\.npmjs\.org/);
  });

  it("lists a job process's cached environments on the workspaces page and queues a clear of one repository", async () => {
    const now = Date.now();
    const report: EnvironmentCacheReport = {
      worker: fakeWorker,
      reportedAt: new Date(now).toISOString(),
      maxBytes: 10 * 1024 ** 3,
      maxAgeDays: 14,
      entries: [
        {
          repo: repoName,
          key: "ab12cd34ef56".padEnd(64, "0"),
          baseSha: "1234567".padEnd(40, "f"),
          bytes: 120 * 1024 ** 2,
          files: 9_312,
          createdAt: new Date(now - 3 * 3600_000).toISOString(),
          lastUsedAt: new Date(now - 60_000).toISOString(),
        },
      ],
    };
    await redis.set(environmentCacheReportKey(redisPrefix, fakeWorker), JSON.stringify(report), "EX", 300);

    // The caches are on the workspaces page, beside the rest of each job process's disk.
    await page.goto(`${url}/admin`);
    await page.locator('a:has-text("See the job processes")').click();
    await page.waitForURL(`${url}/admin/workspaces`);
    const worker = page.locator(`[data-cache-worker="${fakeWorker}"]`);
    await worker.waitFor();
    expect(await worker.locator('[data-testid="cache-usage"]').textContent()).toContain("120 MB of 10 GB");
    const entry = worker.locator(`[data-cache-repo="${repoName}"]`);
    const text = await entry.textContent();
    expect(text).toContain("ab12cd34ef56");
    expect(text).toContain("1234567");
    expect(text).toContain("9,312");
    expect(await entry.locator("[data-clearing]").count()).toBe(0);
    await screenshot(page, screensDir, "42-admin-environment-caches");

    page.once("dialog", (dialog) => void dialog.accept());
    await entry.locator('button:has-text("Clear")').click();
    await entry.locator("[data-clearing]").waitFor();
    const requests = await redis.lrange(`${redisPrefix}env-cache-clears`, 0, -1);
    expect(JSON.parse(requests[0]!)).toMatchObject({ repo: repoName });
    await page.locator('[data-testid="recent-clears"]').getByText(repoName).waitFor();
  });

  it("retries a failed run from its page: a new run with the same command", async () => {
    const plain = await createTestRepo({ files: { "README.md": "# plain\n" } });
    try {
      const name = `${repoName}-plain`;
      expect((await page.request.post(`${url}/api/repos`, { data: { name, url: plain.url } })).status()).toBe(201);
      const created = await page.request.post(`${url}/api/runs`, { data: { repo: name, command: "echo trying; exit 3" } });
      expect(created.status()).toBe(201);
      const failedId = (await created.json()).id as string;
      await page.goto(`${url}/runs/${failedId}`);
      await page.locator('[data-testid="run-status"] [data-status="failed"]').waitFor({ timeout: 60_000 });
      await screenshot(page, screensDir, "43-run-failed-retry");

      await page.click('[data-testid="retry-form"] button:has-text("Retry")');
      await page.waitForURL((u) => /\/runs\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(failedId));
      const retriedId = page.url().split("/").pop()!;
      const retried = await (await page.request.get(`${url}/api/runs/${retriedId}`)).json();
      expect(retried).toMatchObject({ repo: name, executor: "cli", command: "echo trying; exit 3" });
      await page.locator('[data-testid="run-status"] [data-status="failed"]').waitFor({ timeout: 60_000 });
    } finally {
      await plain.remove();
    }
    expect(pageErrors).toEqual([]);
  });
});
