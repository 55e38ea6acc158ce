import crypto from "node:crypto";
import type { Browser, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { requestHumanInput, type HumanAnswer } from "../jobs/humanInput";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { openJobSide, type JobSide } from "./support/jobSide";
import { ownTeamFor, signUpInBrowser } from "./support/ui";

/**
 * The tab's one live channel (GET /api/events) in a real browser against the real stack: the
 * runs list and the nav badge follow a real cli run as it starts, asks for approval (asked
 * the way the agent loop asks, through the real event log and recorder), is answered and is
 * cancelled; and while nothing happens the page asks the API for nothing (no polling).
 */
const { url, databaseUrl, screensDir, redisUrl, redisPrefix } = inject("stack");

let browser: Browser;
let page: Page;
let jobSide: JobSide;
let runId = "";
let pageErrors: string[] = [];
const apiRequests: string[] = [];
let inFlight = 0;
let lastActivity = 0;
const email = `live-${crypto.randomBytes(3).toString("hex")}@example.com`;
const repoName = `live-${crypto.randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  pageErrors = collectPageErrors(page);
  const isListApi = (u: string) => ["/api/runs", "/api/inputs"].includes(new URL(u).pathname);
  page.on("request", (req) => {
    if (!isListApi(req.url())) return;
    apiRequests.push(`${req.method()} ${new URL(req.url()).pathname}`);
    inFlight++;
    lastActivity = Date.now();
  });
  const ended = (req: Request) => {
    if (!isListApi(req.url())) return;
    inFlight--;
    lastActivity = Date.now();
  };
  page.on("requestfinished", ended);
  page.on("requestfailed", ended);
  jobSide = await openJobSide({ databaseUrl, redisUrl, redisPrefix, repoName, readme: "# live\n" });
});

afterAll(async () => {
  if (runId) await page.evaluate((id) => fetch(`/api/runs/${id}/cancel`, { method: "POST" }), runId).catch(() => {});
  await browser?.close();
  await jobSide?.close();
});

/** Waits until the page's last request to the list APIs ended a second ago (what a change caused is done). */
async function apiSettled(): Promise<void> {
  while (inFlight > 0 || Date.now() - lastActivity < 1_000) await new Promise((r) => setTimeout(r, 100));
}

/** Requests to /api/runs and /api/inputs the page makes while `during` runs. */
async function apiRequestsDuring(during: () => Promise<void>): Promise<string[]> {
  const from = apiRequests.length;
  await during();
  return apiRequests.slice(from);
}

/** Creates a cli run from the page, as a script using the API would. */
async function createRun(command: string): Promise<string> {
  const created = await page.evaluate(
    async ([name, cmd]) => {
      const res = await fetch("/api/runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ repo: name, command: cmd }) });
      return (await res.json()) as { id: string };
    },
    [repoName, command],
  );
  return created.id;
}

async function waitForRow(sql: string, params: unknown[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await jobSide.db.query(sql, params)).rows.length === 0) {
    if (Date.now() > deadline) throw new Error(`no row for: ${sql}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const row = () => page.locator(`[data-testid="runs-list"] [data-run-id="${runId}"]`);

describe("the live channel in the browser", () => {
  it("shows a run in the runs list and follows it to running", async () => {
    await signUpInBrowser(page, url, email);
    // In a team of their own with this file's repository: other files' runs (the stack's first
    // team's) would reach this page's live channel and lists too.
    const teamId = await ownTeamFor(email, `Live ${repoName}`);
    await jobSide.db.query(`update repository set team_id = $1 where name = $2`, [teamId, repoName]);
    await page.reload();
    // A new team's runs page is the empty state; the first run replaces it without a reload.
    await page.getByText("No runs yet").waitFor();
    runId = await createRun('echo "working"; sleep 300');
    await row().waitFor({ timeout: 15_000 });
    await row().locator('[data-status="running"]').waitFor({ timeout: 60_000 });
  });

  it("asks nothing of the API while nothing changes", async () => {
    // Settled: the run has its workspace and runs its command, and says nothing more until
    // asked. The old lists polled every 2 s and 3 s.
    await waitForRow("select 1 from run_event where run_id = $1 and type = 'log'", [runId]);
    await apiSettled();
    const made = await apiRequestsDuring(() => page.waitForTimeout(7_000));
    expect(made).toEqual([]);
  });

  let approval: Promise<HumanAnswer>;

  it("shows the approval request in the list and the nav badge as soon as it is asked", async () => {
    approval = requestHumanInput(
      jobSide.inputContext(runId),
      { requestId: "toolu_live_1", kind: "approval", tool: "shell", input: { command: "rm -rf build" }, reasons: ["deletes files"] },
    );
    await page.locator('[data-testid="inbox-count"]').filter({ hasText: "1" }).waitFor({ timeout: 15_000 });
    await row().locator('[data-status="waiting_input"]').waitFor({ timeout: 15_000 });
    await screenshot(page, screensDir, "live-01-approval-badge");
  });

  it("clears the badge when the request is answered, and the run goes on", async () => {
    const status = await page.evaluate(
      (id) => fetch(`/api/runs/${id}/inputs/toolu_live_1`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ decision: "approve" }) }).then((r) => r.status),
      runId,
    );
    expect(status).toBe(200);
    expect(await approval).toMatchObject({ decision: "approve" });
    await page.locator('[data-testid="inbox-count"]').waitFor({ state: "detached", timeout: 15_000 });
    await row().locator('[data-status="running"]').waitFor({ timeout: 15_000 });
  });

  it("shows a run created elsewhere as it appears, and follows it to its end", async () => {
    // Created by a script (another tab, the API): the list hears of it on the channel.
    const other = await createRun("true");
    const otherRow = page.locator(`[data-testid="runs-list"] [data-run-id="${other}"]`);
    await otherRow.locator('[data-status="completed"]').waitFor({ timeout: 60_000 });
  });

  it("follows the cancelled run to its end, then is quiet again", async () => {
    expect(await page.evaluate((id) => fetch(`/api/runs/${id}/cancel`, { method: "POST" }).then((r) => r.status), runId)).toBe(200);
    await row().locator('[data-status="cancelled"]').waitFor({ timeout: 30_000 });
    await apiSettled();
    expect(await apiRequestsDuring(() => page.waitForTimeout(4_000))).toEqual([]);
    await screenshot(page, screensDir, "live-02-cancelled");
    expect(pageErrors).toEqual([]);
  });
});
