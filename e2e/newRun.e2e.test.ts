import crypto from "node:crypto";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestRepo, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { setScript } from "./support/scriptedModel";
import { insertRepository } from "./support/repos";
import { signUpInBrowser } from "./support/ui";

/**
 * Issue 13 items 9 and 10 in the browser: New run with model, turns, budget and a base branch
 * picked from the repository's real branches; Duplicate opens the form prefilled; Re-run and
 * Retry make new runs that link to their original; Cancel asks before it cancels.
 */
const { url, databaseUrl, screensDir, modelControlUrl } = inject("stack");

let browser: Browser;
let page: Page;
let repo: TestRepo;
let db: pg.Client;
let pageErrors: string[] = [];
let firstRunId = "";
const email = `newrun-${crypto.randomBytes(3).toString("hex")}@example.com`;
const repoName = `newrun-${crypto.randomBytes(3).toString("hex")}`;
const script = `nr${crypto.randomBytes(4).toString("hex")}`;
const prompt = `Look at the feature branch and change nothing. [e2e:${script}]`;

type RunRow = { status: string; model: string | null; max_turns: number; budget_usd: number | null; base_branch: string; origin_run_id: string | null; origin_kind: string | null; cancel_requested_at: Date | null };
const runRow = async (id: string) => (await db.query<RunRow>("select * from run where id = $1", [id])).rows[0]!;
const runIdOf = (page: Page) => page.url().split("/").pop()!.split("?")[0]!;
const status = (value: string) => page.locator(`[data-testid="run-status"] [data-status="${value}"]`).waitFor({ timeout: 60_000 });

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  pageErrors = collectPageErrors(page);
  repo = await createTestRepo({ files: { "README.md": "# new run\n" } });
  await repo.commit({ "feature.txt": "wip\n" }, "a feature", "feature/login");
  await repo.commit({ "notes.txt": "x\n" }, "release notes", "release/2.0");
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  // Whatever the agent is asked, it has nothing to change: the run completes.
  await setScript(modelControlUrl, script, [{ content: [{ type: "text", text: "Nothing to change on this branch." }] }]);
  await signUpInBrowser(page, url, email);
  // This file's user is not the admin, so its repository is put in place directly.
  await insertRepository(db, { name: repoName, url: repo.url, userEmail: email });
});

afterAll(async () => {
  await db?.end();
  await browser?.close();
  await repo?.remove();
});

describe("New run with limits and a branch", () => {
  it("opens on the agent, lists the repository's branches, names a bad limit, and starts with what was chosen", async () => {
    await page.goto(`${url}/runs/new`);
    await page.selectOption("#repo", repoName);
    // A new user's form opens on the agent (the stack's job process offers it), not the shell command.
    expect(await page.isChecked('input[name="executor"][value="agent"]')).toBe(true);

    // The base-branch picker lists the remote's branches, the default first.
    const branch = page.locator("select#baseBranch");
    await branch.locator('option[value="feature/login"]').waitFor({ state: "attached", timeout: 30_000 });
    expect(await branch.locator("option").allTextContents()).toEqual(["main (default)", "feature/login", "release/2.0", "Other branch…"]);
    await branch.selectOption("feature/login");

    await page.selectOption("select#model", "claude-haiku-4-5");
    await page.fill("#budgetUsd", "1.5");
    await page.fill("#prompt", prompt);
    await page.fill("#maxTurns", "0");
    await page.click('button:has-text("Start run")');
    const turnsError = page.locator('[data-field-error="maxTurns"]');
    await turnsError.waitFor();
    expect(await turnsError.textContent()).toMatch(/1/);
    await screenshot(page, screensDir, "40-new-run-limits-error");

    await page.fill("#maxTurns", "7");
    await page.click('button:has-text("Start run")');
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    firstRunId = runIdOf(page);
    expect(await runRow(firstRunId)).toMatchObject({ model: "claude-haiku-4-5", max_turns: 7, budget_usd: 1.5, base_branch: "feature/login" });
    expect(await page.locator('[data-testid="run-limits"]').textContent()).toBe("7 turns · $1.50 budget");
    await status("completed");
    await screenshot(page, screensDir, "41-run-completed-follow-ons");
  });

  it("gives an ACP agent its own model names, prompt turns and the budget it reports against, and a shell command none", async () => {
    // claude-agent-acp (bundled; the job process has a model key), registered by an admin of its own.
    const agentName = `claude-nr-${crypto.randomBytes(2).toString("hex")}`;
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signUpInBrowser(admin, url, `newrun-admin-${crypto.randomBytes(3).toString("hex")}@example.com`, "correct horse battery", "admin");
    const registered = await admin.evaluate(async (name) => {
      const res = await fetch("/api/admin/acp-agents", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name, command: "claude-agent-acp", envNames: ["ANTHROPIC_API_KEY"] }),
      });
      return res.status;
    }, agentName);
    expect(registered).toBe(201);
    await adminContext.close();
    // The job process reads the registry every 10 s; until then the agent (or, with no other
    // agent registered, the acp executor itself) is offered disabled.
    const deadline = Date.now() + 30_000;
    for (;;) {
      await page.goto(`${url}/runs/new`);
      const acpExecutor = page.locator('input[name="executor"][value="acp"]');
      if (!(await acpExecutor.isDisabled())) {
        await acpExecutor.check();
        if (!(await page.locator(`#acpAgent option[value="${agentName}"]`).isDisabled())) break;
      }
      if (Date.now() > deadline) throw new Error(`the job process never offered ${agentName}`);
      await page.waitForTimeout(1_000);
    }
    await page.selectOption("#repo", repoName);
    await page.selectOption("#acpAgent", agentName);
    // Not our model list: the agent's own model unless one of its names is typed.
    expect(await page.locator("select#model option").allTextContents()).toEqual(["The agent’s own", "Other model…"]);
    expect(await page.locator('label[for="maxTurns"]').textContent()).toBe("Max prompt turns");
    expect(await page.getByText(/^Held against the cost the agent reports: the run stops and asks/).count()).toBe(1);
    await page.selectOption("select#model", { label: "Other model…" });
    await page.fill("#model-other", "haiku");
    await page.fill("#maxTurns", "3");
    await page.fill("#budgetUsd", "0.5");
    await page.fill("#prompt", prompt);
    await screenshot(page, screensDir, "40a-new-run-acp-limits");
    await page.click('button:has-text("Start run")');
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const acpRunId = runIdOf(page);
    expect(await runRow(acpRunId)).toMatchObject({ model: "haiku", max_turns: 3, budget_usd: 0.5 });
    expect(await page.locator('[data-testid="run-limits"]').textContent()).toBe("3 prompt turns · $0.50 budget");
    // The run is the acp executor's to test (tests/executors/acpLimits.test.ts); it must not keep the job process busy.
    await page.evaluate(async (id) => {
      await fetch(`/api/runs/${id}/cancel`, { method: "POST" });
    }, acpRunId);

    // A shell command: no limit fields, a line saying why.
    await page.goto(`${url}/runs/new`);
    await page.check('input[name="executor"][value="cli"]');
    expect(await page.locator("#model, #maxTurns, #budgetUsd").count()).toBe(0);
    expect(await page.locator('[data-testid="no-limits"]').textContent()).toBe("A shell command has no model, turn limit or budget; the timeout below bounds it.");
  });

  it("takes a model typed under Other model…", async () => {
    await page.goto(`${url}/runs/new`);
    await page.selectOption("#repo", repoName);
    await page.selectOption("select#model", { label: "Other model…" });
    await page.fill("#model-other", "claude-sonnet-4-5-20250929");
    expect(await page.locator('select#model').getAttribute("name")).toBeNull();
    expect(await page.locator("#model-other").getAttribute("name")).toBe("model");
  });
});

describe("from a finished run", () => {
  it("Duplicate opens New run prefilled with the run's settings", async () => {
    await page.goto(`${url}/runs/${firstRunId}`);
    await page.click('[data-testid="run-follow-ons"] a:has-text("Duplicate")');
    await page.waitForURL(`${url}/runs/new?from=${firstRunId}`);
    await page.locator('[data-testid="duplicate-note"]').waitFor();
    expect(await page.inputValue("#repo")).toBe(repoName);
    expect(await page.isChecked('input[name="executor"][value="agent"]')).toBe(true);
    expect(await page.inputValue("#prompt")).toBe(prompt);
    expect(await page.inputValue("select#model")).toBe("claude-haiku-4-5");
    expect(await page.inputValue("#maxTurns")).toBe("7");
    expect(await page.inputValue("#budgetUsd")).toBe("1.5");
    await page.locator('select#baseBranch option[value="feature/login"]').waitFor({ state: "attached", timeout: 30_000 });
    expect(await page.inputValue("select#baseBranch")).toBe("feature/login");
    await screenshot(page, screensDir, "42-new-run-duplicate");
  });

  it("Re-run starts a new run with the same settings; each run's page links to the other", async () => {
    await page.goto(`${url}/runs/${firstRunId}`);
    await page.click('[data-testid="run-follow-ons"] button:has-text("Re-run")');
    await page.waitForURL((u) => /\/runs\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(firstRunId));
    const rerunId = runIdOf(page);
    expect(await runRow(rerunId)).toMatchObject({ origin_run_id: firstRunId, origin_kind: "rerun", model: "claude-haiku-4-5", max_turns: 7, budget_usd: 1.5, base_branch: "feature/login" });
    const origin = page.locator('[data-testid="run-origin"]');
    await origin.waitFor();
    expect(await origin.textContent()).toContain("Re-run of Look at the feature branch");
    await status("completed");

    await origin.locator("a").click();
    await page.waitForURL(`${url}/runs/${firstRunId}`);
    const derived = page.locator('[data-testid="run-derived"]');
    await derived.waitFor();
    expect(await derived.textContent()).toContain("Re-run as");
    expect(await derived.locator("a").getAttribute("href")).toBe(`/runs/${rerunId}`);
  });
});

describe("cancel and retry", () => {
  it("asks before cancelling: the first click cancels nothing, Keep running steps back", async () => {
    const created = await page.evaluate(async (repo) => {
      const res = await fetch("/api/runs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ repo, executor: "cli", command: 'echo "waiting"; sleep 60', prompt: "a long wait" }),
      });
      return (await res.json()) as { id: string };
    }, repoName);
    await page.goto(`${url}/runs/${created.id}`);
    await page.waitForFunction(() => document.querySelector("[data-terminal]")?.textContent?.includes("waiting"), null, { timeout: 60_000 });

    await page.click('button:has-text("Cancel run")');
    const confirm = page.locator('button:has-text("Yes, cancel run")');
    await confirm.waitFor();
    expect(await page.locator('[data-testid="cancel-form"]').textContent()).toContain("Cancel this run?");
    // The confirm button has the focus, so a keyboard user confirms with Enter, or steps back.
    expect(await confirm.evaluate((b) => b === document.activeElement)).toBe(true);
    const asked = await runRow(created.id);
    expect(asked.cancel_requested_at).toBeNull();
    expect(asked.status).toBe("running");
    await screenshot(page, screensDir, "43-cancel-confirm");

    await page.click('button:has-text("Keep running")');
    await page.locator('button:has-text("Cancel run")').waitFor();
    expect(await confirm.count()).toBe(0);
    expect((await runRow(created.id)).cancel_requested_at).toBeNull();

    await page.click('button:has-text("Cancel run")');
    await confirm.click();
    await status("cancelled");
    expect((await runRow(created.id)).cancel_requested_at).not.toBeNull();

    // Retry: the new run names its original, and the original its retry.
    await page.click('[data-testid="retry-form"] button:has-text("Retry")');
    await page.waitForURL((u) => /\/runs\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(created.id));
    const retryId = runIdOf(page);
    expect(await runRow(retryId)).toMatchObject({ origin_run_id: created.id, origin_kind: "retry" });
    const origin = page.locator('[data-testid="run-origin"]');
    await origin.waitFor();
    expect(await origin.textContent()).toMatch(/^Retry of /);
    expect(await origin.locator("a").getAttribute("href")).toBe(`/runs/${created.id}`);
    await page.click('button:has-text("Cancel run")');
    await page.click('button:has-text("Yes, cancel run")');
    await status("cancelled");
    await page.goto(`${url}/runs/${created.id}`);
    expect(await page.locator('[data-testid="run-derived"]').textContent()).toContain("Retried as");
    expect(pageErrors).toEqual([]);
  });

  it("fits a phone: the New run form and the run's actions without sideways scrolling", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, storageState: await page.context().storageState() });
    const phonePage = await phone.newPage();
    await phonePage.goto(`${url}/runs/new?from=${firstRunId}`);
    await phonePage.locator('[data-testid="duplicate-note"]').waitFor();
    expect(await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await screenshot(phonePage, screensDir, "44-phone-new-run");
    await phonePage.goto(`${url}/runs/${firstRunId}`);
    await phonePage.locator('[data-testid="run-follow-ons"]').waitFor();
    expect(await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await phone.close();
  });
});
