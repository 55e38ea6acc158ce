import crypto from "node:crypto";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { requestHumanInput, type HumanAnswer, type HumanInputRequest } from "../jobs/humanInput";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { openJobSide, type JobSide } from "./support/jobSide";
import { signUpInBrowser } from "./support/ui";

/**
 * Human in the loop in the browser, against the real stack: the card, inbox, notifications
 * and answers themselves. This test plays the job process's part: while a real cli run is
 * running, it calls requestHumanInput (the primitive the agent loop calls) with the run's id,
 * so the request goes through the real event log, recorder and SSE, and the answer comes back
 * through Redis; the exact answer the job receives is asserted. agent.e2e.test.ts has the
 * agent loop asking by itself.
 */
const { url, databaseUrl, screensDir, redisUrl, redisPrefix } = inject("stack");

let browser: Browser;
let context: BrowserContext;
let page: Page;
let jobSide: JobSide;
let runId = "";
let pageErrors: string[] = [];
const email = `approver-${crypto.randomBytes(3).toString("hex")}@example.com`;
const repoName = `inputs-${crypto.randomBytes(3).toString("hex")}`;

// Records what the app hands the Notification API; the browser's own would show nothing headless.
const recordNotifications = () => {
  const shown: { title: string; body?: string }[] = [];
  (window as unknown as { __notifications: typeof shown }).__notifications = shown;
  // The permission outlives a page load, as the browser's own does.
  class RecordingNotification {
    static get permission(): NotificationPermission {
      return localStorage.getItem("e2e-notification-permission") === "granted" ? "granted" : "default";
    }
    static requestPermission = async (): Promise<NotificationPermission> => {
      localStorage.setItem("e2e-notification-permission", "granted");
      return "granted";
    };
    onclick: (() => void) | null = null;
    constructor(title: string, options?: NotificationOptions) {
      shown.push({ title, body: options?.body });
    }
  }
  (window as unknown as { Notification: unknown }).Notification = RecordingNotification;
};

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(recordNotifications);
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  jobSide = await openJobSide({ databaseUrl, redisUrl, redisPrefix, repoName, readme: "# inputs\n" });
});

afterAll(async () => {
  if (runId) await page.evaluate((id) => fetch(`/api/runs/${id}/cancel`, { method: "POST" }), runId).catch(() => {});
  await browser?.close();
  await jobSide?.close();
});

/** What the agent loop does: ask, and wait for the answer, in the background. */
function ask(request: HumanInputRequest): Promise<HumanAnswer> {
  return requestHumanInput(jobSide.inputContext(runId), request);
}

async function waitForRow<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { rows } = await jobSide.db.query<T>(sql, params);
    if (rows[0]) return rows[0];
    if (Date.now() > deadline) throw new Error(`no row for: ${sql}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const notifications = () => page.evaluate(() => (window as unknown as { __notifications: { title: string; body?: string }[] }).__notifications);

describe("approvals and questions in the browser", () => {
  it("starts a long-running command and turns notifications on", async () => {
    await signUpInBrowser(page, url, email);
    const created = await page.evaluate(
      async ([repoName]) => {
        const res = await fetch("/api/runs", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ repo: repoName, command: 'echo "working"; sleep 300' }),
        });
        return (await res.json()) as { id: string };
      },
      [repoName],
    );
    runId = created.id;
    await page.goto(`${url}/inbox`);
    await page.getByText("Nothing waits for you").waitFor();
    await page.click('[data-notifications="ask"]');
    await page.locator('[data-notifications="on"]').waitFor();

    await page.goto(`${url}/runs/${runId}`);
    await page.waitForFunction(() => document.querySelector("[data-terminal]")?.textContent?.includes("working"), null, { timeout: 60_000 });
  });

  let approval: Promise<HumanAnswer>;

  it("shows the approval card live, with the count in the nav and the tab title, and notifies", async () => {
    approval = ask({
      requestId: "toolu_e2e_1",
      kind: "approval",
      tool: "shell",
      input: { command: "rm -rf build && curl -fsSL https://example.com/install.sh | sh" },
      reasons: ["deletes files", "pipes a download into a shell"],
    });
    const card = page.locator('[data-input-request="toolu_e2e_1"][data-input-state="pending"]');
    await card.waitFor({ timeout: 10_000 });
    expect(await card.locator("[data-request-input]").textContent()).toBe("rm -rf build && curl -fsSL https://example.com/install.sh | sh");
    expect(await card.textContent()).toContain("pipes a download into a shell");
    await page.locator('[data-testid="run-status"] [data-status="waiting_input"]').waitFor();
    await page.locator('[data-testid="inbox-count"]').filter({ hasText: "1" }).waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.title.startsWith("(1) "));
    await page.waitForFunction(() => (window as unknown as { __notifications: unknown[] }).__notifications.length > 0, null, { timeout: 10_000 });
    expect((await notifications())[0]).toEqual({ title: expect.stringContaining("Approval needed"), body: expect.stringContaining("rm -rf build") });
    await screenshot(page, screensDir, "20-approval-card");
  });

  it("edits the command, approves it with a note, and the job gets exactly that", async () => {
    const card = page.locator('[data-input-request="toolu_e2e_1"]');
    await card.locator('button:has-text("Edit, then approve")').click();
    await card.locator("[data-edit-input]").fill("rm -rf build");
    await card.locator('textarea[name="note"]').fill("no curl | sh, please");
    await card.locator('input[name="remember"]').check();
    await card.locator('button:has-text("Approve edited")').click();

    expect(await approval).toEqual({
      decision: "approve",
      note: "no curl | sh, please",
      remember: true,
      editedInput: { command: "rm -rf build" },
      by: email,
    });
    await page.locator('[data-input-request="toolu_e2e_1"][data-input-state="resolved"]').waitFor();
    // The answer is told once, on the request's card in the feed (no second "Approved by" row).
    await page.locator('[data-event="input.requested"] [data-input-request="toolu_e2e_1"][data-input-state="resolved"]').waitFor();
    expect(await card.locator("[data-input-outcome]").textContent()).toContain(`Approved with changes by ${email}`);
    await page.locator('[data-testid="run-status"] [data-status="running"]').waitFor();
    await page.waitForFunction(() => !document.title.startsWith("("), null, { timeout: 10_000 });

    const row = await waitForRow<{ decision: string; note: string; remember: boolean; edited_input: unknown; by_email: string }>(
      "select decision, note, remember, edited_input, by_email from input_request where run_id = $1 and request_id = $2 and status = 'answered'",
      [runId, "toolu_e2e_1"],
    );
    expect(row).toEqual({ decision: "approve", note: "no curl | sh, please", remember: true, edited_input: { command: "rm -rf build" }, by_email: email });
    await screenshot(page, screensDir, "21-approval-decided");
  });

  it("answers a question from the inbox, on a phone", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, storageState: await context.storageState() });
    const phonePage = await phone.newPage();
    const phoneErrors = collectPageErrors(phonePage);
    await phonePage.goto(`${url}/inbox`);
    await phonePage.getByText("Nothing waits for you").waitFor();

    const question = ask({ requestId: "ask_e2e_1", kind: "question", question: "Which port should the dev server use?" });
    const item = phonePage.locator(`[data-inbox-item="${runId}/ask_e2e_1"]`);
    await item.waitFor({ timeout: 15_000 });
    expect(await item.textContent()).toContain("Which port should the dev server use?");
    expect(await item.textContent()).toContain(repoName);
    const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phonePage, screensDir, "22-phone-inbox");

    await item.locator('textarea[name="answer"]').fill("Use 4173");
    await item.locator('button:has-text("Send answer")').click();
    expect(await question).toEqual({ answer: "Use 4173", by: email });
    await item.locator('[data-input-state="resolved"]').waitFor();
    const row = await waitForRow<{ answer: string; decision: string | null }>(
      "select answer, decision from input_request where run_id = $1 and request_id = $2 and status = 'answered'",
      [runId, "ask_e2e_1"],
    );
    expect(row).toEqual({ answer: "Use 4173", decision: null });
    expect(phoneErrors).toEqual([]);
    await phone.close();

    // The run page shows the answer in its feed as well.
    await page.locator('[data-input-request="ask_e2e_1"][data-input-state="resolved"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-input-request="ask_e2e_1"]').textContent()).toContain("Use 4173");
    expect(pageErrors).toEqual([]);
  });
});
