import crypto from "node:crypto";
import path from "node:path";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FakeTurn } from "../tests/support/fakeAnthropic";
import { createTestRepo, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { setScript } from "./support/scriptedModel";
import { signUpInBrowser } from "./support/ui";
import { insertStackRepository } from "./support/repos";

/**
 * The run page organised around what needs the person now (issue 13, items 1 and 8), in
 * Chromium against the real stack and an agent run of the scripted model: a long feed (over
 * 3,000 px) with the pending approval in a sticky bar, in view at load on a desktop and on a
 * phone and answerable there; the feed following new steps while its end is in view, and
 * "Jump to latest" once the person scrolled away (and not for the steps replayed at load);
 * tool steps folded to one line; an edit and a write as a diff; the run's clock and usage
 * said once; the task's markdown rendered, its HTML shown as text; a scheduled run's link to
 * its schedule.
 */
const { url, databaseUrl, screensDir, modelControlUrl } = inject("stack");

let browser: Browser;
let context: BrowserContext;
let page: Page;
let repo: TestRepo;
let db: pg.Client;
let pageErrors: string[] = [];
let runId = "";
const email = `runpage-${crypto.randomBytes(3).toString("hex")}@example.com`;
const repoName = `runpage-${crypto.randomBytes(3).toString("hex")}`;

// Enough turns of text and folded steps to make the page longer than 3,000 px before the first approval.
const READING_TURNS = 16;
const reading = (i: number): FakeTurn => ({
  content: [
    {
      type: "text",
      text: `Looking at part ${i} of the repository.\n\nWhat I check here:\n\n- the file layout\n- the **README**\n- the tests\n- anything stale`,
    },
    // Each call differs: the agent's loop guard asks a person about a call repeated many times.
    { type: "tool_use", id: `toolu_read_${i}`, name: "read_file", input: { path: "README.md", limit: i } },
  ],
});
const rm = (n: number, text: string): FakeTurn => ({
  content: [
    { type: "text", text },
    { type: "tool_use", id: `toolu_rm_${n}`, name: "shell", input: { command: `rm -rf build-${n} && echo removed-${n}` } },
  ],
});

const SCRIPT: FakeTurn[] = [
  ...Array.from({ length: READING_TURNS }, (_, i) => reading(i + 1)),
  {
    content: [
      { type: "text", text: "Writing notes and the entry point." },
      { type: "tool_use", id: "toolu_write_new", name: "write_file", input: { path: "NOTES.md", content: "# Notes\n\n- tidy the build folders\n" } },
      { type: "tool_use", id: "toolu_write_over", name: "write_file", input: { path: "src/index.ts", content: "export const ready = true;\n" } },
    ],
  },
  {
    content: [
      { type: "text", text: "Updating the README's title." },
      { type: "tool_use", id: "toolu_edit", name: "edit_file", input: { path: "README.md", old_string: "# run page\n", new_string: "# Run page, tidied\n" } },
    ],
  },
  rm(1, "Removing the first stale folder."),
  { content: [{ type: "text", text: "after-one: the first folder is gone." }, { type: "tool_use", id: "toolu_after_1", name: "list_directory", input: { path: "." } }] },
  rm(2, "Removing the second stale folder."),
  { content: [{ type: "text", text: "after-two: the second folder is gone." }, { type: "tool_use", id: "toolu_after_2", name: "list_directory", input: { path: "src" } }] },
  rm(3, "Removing the third stale folder."),
  { content: [{ type: "text", text: "All done: {{lastResult}}" }] },
];

const TASK = "Tidy the repository:\n\n- remove **stale** build folders\n- fix the README\n\n<script>window.__taskScriptRan = true</script>";

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  repo = await createTestRepo({ files: { "README.md": "# run page\n\nA repository to tidy.\nIt has three lines of text.\n", "src/index.ts": "export {};\n" } });
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  // This file's user is not the admin, so its repository is put in place directly.
  await insertStackRepository(db, { name: repoName, url: repo.url });
  await signUpInBrowser(page, url, email);
});

afterAll(async () => {
  if (runId) await page.evaluate((id) => fetch(`/api/runs/${id}/cancel`, { method: "POST" }), runId).catch(() => {});
  await db?.end();
  await browser?.close();
  await repo?.remove();
});

const bar = (p: Page = page) => p.locator('[data-testid="action-bar"]');
const pendingInBar = (command: string, p: Page = page) =>
  bar(p).locator('[data-input-state="pending"]').filter({ has: p.locator("[data-request-input]", { hasText: command }) });

/** Whether the end of the feed is on screen (what following the tail keeps true). */
const feedEndInView = (p: Page = page) =>
  p.evaluate(() => document.querySelector("[data-feed-end]")!.getBoundingClientRect().top <= window.innerHeight + 48);

/** Clicks a step's summary line, brought to the middle of the window first (away from the sticky bar above and the jump button below). */
async function toggleStep(step: ReturnType<Page["locator"]>): Promise<void> {
  const summary = step.locator("[data-step-summary]");
  await summary.evaluate((el) => el.scrollIntoView({ block: "center" }));
  await summary.click();
}

/** The element's box lies inside the viewport, without scrolling. */
async function inViewport(p: Page, selector: string): Promise<boolean> {
  return p.evaluate((sel) => {
    const r = document.querySelector(sel)!.getBoundingClientRect();
    return r.top >= 0 && r.top < window.innerHeight && r.height > 0;
  }, selector);
}

describe("the run page: what needs the person now", () => {
  it("opens a long waiting run with the approval in a bar in view, the task's markdown rendered and its HTML as text", async () => {
    const name = `rp${crypto.randomBytes(4).toString("hex")}`;
    await setScript(modelControlUrl, name, SCRIPT);
    const created = await page.evaluate(
      async ([repo, prompt]) => {
        const res = await fetch("/api/runs", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ repo, prompt, executor: "agent", approvalMode: "risky" }),
        });
        return { status: res.status, body: (await res.json()) as { id: string } };
      },
      [repoName, `${TASK}\n\n[e2e:${name}]`],
    );
    expect(created.status).toBe(201);
    runId = created.body.id;
    // Wait until the run waits for the first approval, then open its page afresh.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const { rows } = await db.query<{ status: string }>("select status from run where id = $1", [runId]);
      if (rows[0]?.status === "waiting_input") break;
      if (Date.now() > deadline) throw new Error(`the run did not come to wait for input: ${rows[0]?.status}`);
      await new Promise((r) => setTimeout(r, 300));
    }

    await page.goto(`${url}/runs/${runId}`);
    await pendingInBar("rm -rf build-1").waitFor();
    await page.locator('[data-event="assistant.text"]').filter({ hasText: `part ${READING_TURNS}` }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(3000);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    expect(await inViewport(page, '[data-testid="action-bar"]')).toBe(true);
    expect(await bar().textContent()).toContain("deletes files");
    // Opened at the top of a live run: the way to the end is there, but the replayed steps are not "new".
    await page.locator('[data-testid="jump-to-latest"]').waitFor();
    expect(await page.locator("[data-new-steps]").count()).toBe(0);
    // The run works (it waits for a person within its round): its clock runs, it has no finish time yet.
    const details = page.locator("dl", { has: page.locator('[data-testid="run-branch"]') });
    expect(await details.locator("dt").allTextContents()).toEqual(expect.arrayContaining(["Running for", "Usage"]));
    expect(await details.locator("dt").allTextContents()).not.toContain("Finished");
    expect(await details.locator("dt").allTextContents()).not.toContain("Duration");
    // Usage once, in the details: tokens, cost and the model turns.
    expect(await page.locator('[data-testid="usage-summary"]').count()).toBe(1);
    expect(await details.locator('[data-testid="usage-summary"]').textContent()).toMatch(/in · .* out .*\$.* · \d+ turns/);
    expect(await page.locator('[title^="input / output tokens"]').count()).toBe(1);
    // The feed points to the bar instead of holding a second form.
    expect(await page.locator('[data-input-in-bar]').count()).toBe(1);
    expect(await page.locator('[data-input-state="pending"]').count()).toBe(1);
    await screenshot(page, screensDir, "40-run-page-waiting", false);

    // Sticky: half-way down the page the bar is still in view.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight / 2));
    await page.waitForFunction(() => window.scrollY > 1000);
    expect(await inViewport(page, '[data-testid="action-bar"]')).toBe(true);

    const task = page.locator('[data-testid="run-task"]');
    expect(await task.locator("strong").first().textContent()).toBe("stale");
    expect(await task.locator("li").count()).toBe(2);
    expect(await task.textContent()).toContain("<script>window.__taskScriptRan = true</script>");
    expect(await task.locator("script").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __taskScriptRan?: boolean }).__taskScriptRan)).toBeUndefined();
  });

  it("folds finished steps to one line that opens onto the input and output, shows an edit as a diff, and no usage rows", async () => {
    const step = page.locator('details[data-call-id="toolu_read_1"]');
    expect(await step.getAttribute("open")).toBeNull();
    expect(await step.locator("[data-step-summary]").textContent()).toContain("read_file");
    expect(await step.locator('[data-tool-outcome="ok"]').count()).toBe(1);
    expect(await step.locator("[data-terminal]").isVisible()).toBe(false);
    await toggleStep(step);
    await step.locator("[data-terminal]").waitFor({ state: "visible" });
    expect(await step.locator("[data-tool-input]").textContent()).toContain("path:");
    await toggleStep(step);
    await step.locator("[data-terminal]").waitFor({ state: "hidden" });

    const edit = page.locator('details[data-call-id="toolu_edit"]');
    await toggleStep(edit);
    const diff = edit.locator('[data-edit-diff="README.md"]');
    await diff.waitFor({ state: "visible" });
    expect(await diff.locator('[data-diff-op="-"]').textContent()).toContain("# run page");
    expect(await diff.locator('[data-diff-op="+"]').first().textContent()).toContain("# Run page, tidied");
    expect(await edit.textContent()).not.toContain("old_string");

    // write_file: a new file as all added lines, an overwrite as what really changed.
    const created = page.locator('details[data-call-id="toolu_write_new"]');
    expect(await created.locator("[data-step-summary]").textContent()).toContain("+3 −0");
    await toggleStep(created);
    const newFile = created.locator('[data-file-change="NOTES.md"]');
    await newFile.waitFor({ state: "visible" });
    expect(await newFile.textContent()).toContain("new file");
    expect(await newFile.locator('[data-diff-op="+"]').allTextContents()).toEqual(["+# Notes", "+", "+- tidy the build folders"]);
    expect(await newFile.locator('[data-diff-op="-"]').count()).toBe(0);
    const overwrite = page.locator('details[data-call-id="toolu_write_over"]');
    await toggleStep(overwrite);
    const changed = overwrite.locator('[data-file-change="src/index.ts"]');
    await changed.waitFor({ state: "visible" });
    expect(await changed.locator("[data-hunk-header]").textContent()).toBe("@@ -1,1 +1,1 @@");
    expect(await changed.locator('[data-diff-op="-"]').textContent()).toBe("-export {};");
    expect(await changed.locator('[data-diff-op="+"]').textContent()).toBe("+export const ready = true;");
    // The diff stands for the input: the content is not shown a second time.
    expect(await overwrite.locator("[data-tool-input]").count()).toBe(0);
    await page.locator('[data-event="tool"]', { has: created }).screenshot({ path: path.join(screensDir, "45-run-page-write-new.png") });
    await page.locator('[data-event="tool"]', { has: overwrite }).screenshot({ path: path.join(screensDir, "45-run-page-write-diff.png") });

    expect(await page.locator('[data-event="usage"]').count()).toBe(0);
    expect(await page.getByText("Usage so far").count()).toBe(0);
    // read_file showed one line of four: its output says how to read on, and is not cut output.
    expect(await step.textContent()).toContain("more lines; read again with offset=2");
    expect(await step.textContent()).not.toContain("output was cut");
  });

  it("follows new steps while the end of the feed is in view, answering in the bar", async () => {
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForFunction(() => document.querySelector("[data-feed-end]")!.getBoundingClientRect().top <= window.innerHeight);
    // Read this far down, the bar is folded to its headline (what it asks), and opens on "Answer".
    expect(await bar().locator("[data-bar-summary]").textContent()).toBe("rm -rf build-1 && echo removed-1");
    const toggle = bar().locator('[data-testid="action-bar-toggle"]');
    // The bar folds on the scroll event, a frame after the scroll.
    await bar().locator('[data-testid="action-bar-toggle"]', { hasText: "Answer" }).waitFor({ timeout: 5_000 });
    expect(await toggle.textContent()).toBe("Answer");
    expect(await bar().locator("[data-input-request]").count()).toBe(0);
    await toggle.click();
    await pendingInBar("rm -rf build-1").locator('button[value="approve"]').click();

    await page.locator('[data-event="assistant.text"]').filter({ hasText: "after-one" }).waitFor({ timeout: 30_000 });
    await bar().locator("[data-bar-summary]", { hasText: "rm -rf build-2" }).waitFor({ timeout: 30_000 });
    await page.locator('details[data-call-id="toolu_after_1"] [data-tool-outcome="ok"]').waitFor();
    expect(await feedEndInView()).toBe(true);
    expect(await page.locator('[data-testid="jump-to-latest"]').count()).toBe(0);
    // The decision is on its card in the feed, said once.
    const decided = page.locator('[data-event="input.requested"] [data-input-request="approve-toolu_rm_1"]');
    await decided.locator('[data-input-outcome="approve"]').waitFor();
    const feedText = (await page.locator('[data-testid="run-feed"]').textContent())!;
    expect(feedText.split(email)).toHaveLength(2);
  });

  it("stops following once scrolled up, counts new steps on Jump to latest, and goes back on a click", async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    const jump = page.locator('[data-testid="jump-to-latest"]');
    await jump.waitFor();
    await pendingInBar("rm -rf build-2").locator('button[value="approve"]').click();

    await pendingInBar("rm -rf build-3").waitFor({ timeout: 30_000 });
    await page.locator('[data-event="assistant.text"]').filter({ hasText: "after-two" }).waitFor();
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    const count = Number(await jump.locator("[data-new-steps]").getAttribute("data-new-steps"));
    expect(count).toBeGreaterThanOrEqual(3);
    expect(await jump.textContent()).toContain(`${count} new steps`);
    await screenshot(page, screensDir, "41-run-page-jump-to-latest", false);

    await jump.click();
    await jump.waitFor({ state: "detached" });
    expect(await feedEndInView()).toBe(true);
  });

  it("on a phone, shows the waiting approval in view at load and takes the answer there", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, storageState: await context.storageState() });
    const phonePage = await phone.newPage();
    const phoneErrors = collectPageErrors(phonePage);
    await phonePage.goto(`${url}/runs/${runId}`);
    const request = pendingInBar("rm -rf build-3", phonePage);
    await request.waitFor();
    await phonePage.locator('[data-event="assistant.text"]').filter({ hasText: "after-two" }).waitFor();
    expect(await phonePage.evaluate(() => window.scrollY)).toBe(0);
    expect(await inViewport(phonePage, '[data-testid="action-bar"]')).toBe(true);
    expect(await phonePage.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(3000);
    expect(await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await screenshot(phonePage, screensDir, "42-run-page-phone-waiting", false);

    await request.locator('textarea[name="note"]').fill("keep build-3");
    await request.locator('button[value="deny"]').click();
    await phonePage.locator('[data-action-bar="review"]').waitFor({ timeout: 60_000 });
    expect(await inViewport(phonePage, '[data-testid="action-bar"]')).toBe(true);
    await screenshot(phonePage, screensDir, "43-run-page-phone-review", false);
    expect(phoneErrors).toEqual([]);
    await phone.close();

    const { rows } = await db.query<{ decision: string; note: string }>(
      "select decision, note from input_request where run_id = $1 and request_id = 'approve-toolu_rm_3' and status = 'answered'",
      [runId],
    );
    expect(rows).toEqual([{ decision: "deny", note: "keep build-3" }]);
  });

  it("offers the review in the bar once the run is ready, leading to the review page", async () => {
    await page.locator('[data-event="assistant.text"]').filter({ hasText: "All done:" }).waitFor({ timeout: 30_000 });
    await page.locator('[data-action-bar="review"]').waitFor({ timeout: 30_000 });
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight / 2));
    await page.waitForFunction(() => window.scrollY > 1000);
    expect(await inViewport(page, '[data-testid="action-bar"]')).toBe(true);
    expect(await bar().textContent()).toContain("3 files changed");
    await screenshot(page, screensDir, "44-run-page-review-bar", false);
    // Ended its round: how long it worked, and when it finished.
    const details = page.locator("dl", { has: page.locator('[data-testid="run-branch"]') });
    await details.locator("dt", { hasText: "Finished" }).waitFor();
    expect(await details.locator("dt").allTextContents()).toEqual(expect.arrayContaining(["Duration", "Finished", "Usage"]));
    expect(await details.locator("dt").allTextContents()).not.toContain("Running for");
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, screensDir, "46-run-page-details-finished", false);
    await page.locator('[data-testid="action-bar-review"]').click();
    await page.waitForURL(`${url}/runs/${runId}/review`);
    expect(pageErrors).toEqual([]);
  });

  it("links a scheduled run to its schedule, scrolled to and marked, and says when the schedule was deleted", async () => {
    // Enough schedules that the one linked to is below the fold, so the scroll shows.
    const make = (name: string) =>
      page.evaluate(
        async ([repo, name]) => {
          const res = await fetch("/api/schedules", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name, repo, cron: "0 3 1 1 *", command: "make lint" }),
          });
          return { status: res.status, body: (await res.json()) as { id: string } };
        },
        [repoName, name],
      );
    const made = await make("nightly tidy");
    expect(made.status).toBe(201);
    // Newest first: these come above it.
    for (let i = 1; i <= 8; i++) expect((await make(`weekly chore ${i}`)).status).toBe(201);
    const scheduleId = made.body.id;
    // The run stands for one the schedule made (a real tick waits for its cron).
    await db.query("update run set schedule_id = $1 where id = $2", [scheduleId, runId]);

    await page.goto(`${url}/runs/${runId}`);
    const link = page.locator('[data-testid="run-schedule"] a');
    expect(await link.textContent()).toBe("nightly tidy");
    await link.click();
    await page.waitForURL(`${url}/schedules?schedule=${scheduleId}#schedule-${scheduleId}`);
    const row = page.locator(`li#schedule-${scheduleId}`);
    await row.waitFor();
    expect(await row.getAttribute("data-highlighted")).toBe("true");
    expect(await page.locator("li[data-highlighted]").count()).toBe(1);
    await page.waitForFunction((id) => {
      const r = document.getElementById(`schedule-${id}`)!.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    }, scheduleId);
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    // As the person sees it: scrolled to the row (the shared helper would scroll back to the top).
    await page.screenshot({ path: path.join(screensDir, "47-schedule-linked-from-run.png") });

    const deleted = await page.evaluate((id) => fetch(`/api/schedules/${id}`, { method: "DELETE" }).then((r) => r.status), scheduleId);
    expect(deleted).toBeLessThan(300);
    await page.goto(`${url}/runs/${runId}`);
    const line = page.locator('[data-testid="run-schedule"]');
    expect(await line.textContent()).toBe("Started by a schedule that has since been deleted");
    expect(await line.locator("a").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
