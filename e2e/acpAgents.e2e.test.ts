import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { signUpInBrowser } from "./support/ui";

/**
 * An admin registers an ACP agent from a preset (issue 10): the preset fills in Goose's launch
 * line, the agent is listed with it, and the stack's job process says whether it can start it
 * (Goose is not installed here, so it says why not).
 */
const { url, screensDir } = inject("stack");

let browser: Browser;
let page: Page;
let pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  pageErrors = collectPageErrors(page);
});

afterAll(async () => {
  await browser?.close();
});

describe("ACP agents page", () => {
  it("registers Goose from its preset and lists it with what the job process says about it", async () => {
    await signUpInBrowser(page, url, "agents-admin@example.com", "correct horse battery", "admin");
    await page.locator('nav >> text="ACP agents"').click();
    await page.waitForURL(`${url}/admin/agents`);
    await expect.poll(() => page.locator('nav [aria-current="page"]').textContent()).toBe("ACP agents");

    await page.click('button[data-preset="goose"]');
    expect(await page.inputValue("#name")).toBe("goose");
    expect(await page.inputValue("#command")).toBe("goose");
    expect(await page.inputValue("#args")).toBe("acp\n--with-builtin\ndeveloper");
    expect(await page.inputValue("#envNames")).toBe("GOOSE_PROVIDER GOOSE_MODEL OPENAI_API_KEY");
    expect(await page.locator('[data-testid="preset-needs"]').textContent()).toMatch(/goose CLI/);

    // The Claude preset says the key never reaches the agent as it is.
    await page.click('button[data-preset="claude-acp"]');
    expect(await page.inputValue("#command")).toBe("claude-agent-acp");
    expect(await page.locator('[data-testid="anthropic-key-note"]').textContent()).toMatch(/never passed to the agent as it is: the job process gives it a model gateway/);

    await page.click('button[data-preset="goose"]');
    await page.fill("#description", "Goose for the e2e test");
    await page.click('form[aria-label="Register an ACP agent"] button[type="submit"]');
    await page.locator('[role="status"]:has-text("Registered goose")').waitFor();
    // The form is clean again for the next one.
    expect(await page.inputValue("#name")).toBe("");

    const item = page.locator('[data-testid="acp-agent-list"] li[data-agent="goose"]');
    await item.waitFor();
    expect(await item.locator('[data-testid="launch-line"]').textContent()).toBe("goose acp --with-builtin developer");
    const text = await item.textContent();
    expect(text).toContain("Goose for the e2e test");
    expect(text).toContain("GOOSE_PROVIDER, GOOSE_MODEL, OPENAI_API_KEY");

    // The job process reads the registry at its next advert tick (every 10 s) and answers.
    const availability = item.locator("[data-availability]");
    const deadline = Date.now() + 30_000;
    while (/no job process has checked it yet/.test((await availability.textContent()) ?? "")) {
      if (Date.now() > deadline) throw new Error("the job process never said whether it can start goose");
      await new Promise((r) => setTimeout(r, 1_000));
      await page.reload();
    }
    expect(await availability.getAttribute("data-availability")).toBe("unavailable");
    expect(await availability.textContent()).toMatch(/^ACP agent goose is not available: /);
    await screenshot(page, screensDir, "30-acp-agents");

    // A second registration under the same name is refused, naming the field.
    await page.click('button[data-preset="goose"]');
    await page.click('form[aria-label="Register an ACP agent"] button[type="submit"]');
    await page.locator('[data-field-error="name"]').waitFor();
    expect(await page.locator('[data-field-error="name"]').textContent()).toMatch(/already registered/);
    expect(pageErrors).toEqual([]);
  });
});
