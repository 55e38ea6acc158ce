import crypto from "node:crypto";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { signGithubPayload } from "../lib/contracts/webhookSignature";
import { createTestRepo, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { setScript } from "./support/scriptedModel";
import { insertRepository } from "./support/repos";
import { ownTeamFor, signUpInBrowser } from "./support/ui";

/**
 * Issue 15 item 4 in the browser: the New run form saved as a template with a variable, the
 * template used from the Templates page with a value filled in, and the run it starts reads
 * the rendered task.
 */
const { url, databaseUrl, screensDir, modelControlUrl } = inject("stack");

let browser: Browser;
let page: Page;
let repo: TestRepo;
let db: pg.Client;
let pageErrors: string[] = [];
const email = `templates-${crypto.randomBytes(3).toString("hex")}@example.com`;
const repoName = `tpl-${crypto.randomBytes(3).toString("hex")}`;
const script = `tp${crypto.randomBytes(4).toString("hex")}`;
const templateName = `Triage ${crypto.randomBytes(2).toString("hex")}`;
// The marker picks the fake model's script whatever the variable's value.
const prompt = `Look into "{{issue.title}}" and change nothing. [e2e:${script}]`;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  pageErrors = collectPageErrors(page);
  repo = await createTestRepo({ files: { "README.md": "# templates\n" } });
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await setScript(modelControlUrl, script, [{ content: [{ type: "text", text: "Looked; nothing to change." }] }]);
  await signUpInBrowser(page, url, email);
  // A team of the user's own, as its owner: incoming webhooks are its admins' to make.
  await ownTeamFor(email, `Templates ${repoName}`);
  await insertRepository(db, { name: repoName, url: repo.url, userEmail: email });
});

afterAll(async () => {
  await db?.end();
  await browser?.close();
  await repo?.remove();
});

describe("run templates", () => {
  it("saves the New run form as a template with a variable", async () => {
    await page.goto(`${url}/runs/new`);
    await page.selectOption("#repo", repoName);
    await page.fill("#prompt", prompt);
    await page.fill("#maxTurns", "9");
    await page.click('button:has-text("Save as template")');
    await page.waitForURL(/\/templates\/new\?draft=1$/);
    // The editor opens with what the form held.
    await page.waitForFunction((p) => (document.querySelector("#prompt") as HTMLTextAreaElement | null)?.value === p, prompt);
    expect(await page.inputValue("#maxTurns")).toBe("9");
    expect(await page.inputValue("#repo")).toBe(repoName);

    await page.fill("#name", templateName);
    // Saved without declaring the placeholder: refused, naming the prompt.
    await page.click('button:has-text("Save template")');
    await page.locator('[data-field-error="prompt"]').waitFor();
    expect(await page.locator('[data-field-error="prompt"]').textContent()).toMatch(/issue\.title/);

    await page.click('button:has-text("Add a variable")');
    const variable = page.locator('[data-testid="template-variable"]').first();
    await variable.locator('input[id$="-name"]').fill("issue.title");
    await variable.locator('input[type="checkbox"]').check();
    await variable.locator('input[id$="-description"]').fill("The issue's title");
    await screenshot(page, screensDir, "150-template-editor");
    await page.click('button:has-text("Save template")');
    await page.waitForURL(/\/templates$/);
    const item = page.locator('[data-testid="template"]', { hasText: templateName });
    await item.waitFor();
    expect(await item.textContent()).toMatch(/issue\.title/);
    await screenshot(page, screensDir, "151-templates-list");
  });

  it("starts a run from it with a value, and the run reads the rendered task", async () => {
    await page.goto(`${url}/templates`);
    await page.click(`a[aria-label="Use template ${templateName}"]`);
    await page.waitForURL(/\/runs\/new\?template=[0-9a-f-]{36}$/);
    const templateId = new URL(page.url()).searchParams.get("template")!;

    // The required value left out: named on its input, and no run.
    await page.click('button:has-text("Start run")');
    const missing = page.locator('[data-field-error="var-issue-title"]');
    await missing.waitFor();
    expect(await missing.textContent()).toMatch(/required/i);

    // A value that looks like a placeholder stays text.
    const title = "Login fails {{issue.title}} on Safari";
    await page.fill("#var-issue-title", title);
    await page.waitForFunction(
      (t) => document.querySelector('[data-testid="template-preview"]')?.textContent?.includes(t),
      `Look into "${title}"`,
    );
    await screenshot(page, screensDir, "152-run-from-template");
    await page.click('button:has-text("Start run")');
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const runId = page.url().split("/").pop()!;

    const rendered = `Look into "${title}" and change nothing. [e2e:${script}]`;
    const { rows } = await db.query<{ prompt: string; template_id: string | null; max_turns: number }>("select prompt, template_id, max_turns from run where id = $1", [runId]);
    expect(rows[0]).toEqual({ prompt: rendered, template_id: templateId, max_turns: 9 });
    await page.locator("main", { hasText: `Look into "${title}"` }).waitFor();
    await page.locator('[data-testid="run-status"] [data-status="completed"]').waitFor({ timeout: 60_000 });
    // The run names the template it came from, linked.
    const from = page.locator('[data-testid="run-template"]');
    expect(await from.textContent()).toBe(`From the template ${templateName}`);
    expect(await from.locator("a").getAttribute("href")).toBe(`/templates/${templateId}`);
    await screenshot(page, screensDir, "153-run-from-template-done");
    expect(pageErrors).toEqual([]);
  });

  it("starts a run from it through an incoming webhook made on the repository's page", async () => {
    await page.goto(`${url}/repos/${repoName}/webhooks`);
    await page.selectOption("#templateId", { label: templateName });
    await page.fill("#issueLabel", "agentdesk");
    await page.click('[data-create-inbound] button[type="submit"]');
    const shownOnce = page.locator("[data-webhook-secret]");
    await shownOnce.waitFor();
    const hookUrl = (await shownOnce.locator("[data-webhook-url]").textContent())!.trim();
    const secret = (await shownOnce.locator("[data-secret-value]").textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await page.locator("[data-inbound]").waitFor();

    const body = JSON.stringify({
      action: "labeled",
      label: { name: "agentdesk" },
      issue: { number: 7, title: "Login fails on Safari", body: "Steps…", html_url: "https://github.com/acme/app/issues/7" },
      repository: { full_name: "acme/app" },
      sender: { login: "octo", type: "User" },
    });
    const delivery = crypto.randomUUID();
    const res = await fetch(hookUrl.replace(/^https?:\/\/[^/]+/, url), {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": delivery, "x-hub-signature-256": signGithubPayload(secret, body) },
      body,
    });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };

    await page.reload();
    const logged = page.locator("[data-inbound-log] li", { hasText: "started" });
    await logged.waitFor();
    expect(await logged.locator(`a[href="/runs/${runId}"]`).count()).toBe(1);
    await screenshot(page, screensDir, "154-incoming-webhook");
    const { rows } = await db.query<{ prompt: string; template_id: string }>("select prompt, template_id from run where id = $1", [runId]);
    expect(rows[0]!.prompt).toContain('Look into "Login fails on Safari"');
    expect(pageErrors).toEqual([]);
  });
});
