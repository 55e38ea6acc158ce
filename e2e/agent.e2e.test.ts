import crypto from "node:crypto";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FakeTurn } from "../tests/support/fakeAnthropic";
import { createTestRepo, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { setScript } from "./support/scriptedModel";
import { signUpInBrowser } from "./support/ui";
import { insertStackRepository } from "./support/repos";

/**
 * The agent asking a person, end to end in the browser: real web, recorder, job process and
 * agent loop, with the stack's scripted model. An approval card appears live and approving
 * runs the command; a denial reaches the agent, which says so; a question's answer ends up
 * in the file the agent writes, as the diff shows.
 */
const { url, databaseUrl, screensDir, modelControlUrl } = inject("stack");

let browser: Browser;
let page: Page;
let repo: TestRepo;
let db: pg.Client;
let pageErrors: string[] = [];
const email = `agent-${crypto.randomBytes(3).toString("hex")}@example.com`;
const repoName = `agent-${crypto.randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  pageErrors = collectPageErrors(page);
  repo = await createTestRepo({ files: { "README.md": "# agent\n", "build/out.txt": "stale\n" } });
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  // This file's user is not the admin, so its repository is put in place directly.
  await insertStackRepository(db, { name: repoName, url: repo.url });
  await signUpInBrowser(page, url, email);
});

afterAll(async () => {
  await db?.end();
  await browser?.close();
  await repo?.remove();
});

/** Registers the model's script and starts an agent run (risky mode) that plays it; opens its page. */
async function startAgentRun(script: FakeTurn[]): Promise<string> {
  const name = `s${crypto.randomBytes(4).toString("hex")}`;
  await setScript(modelControlUrl, name, script);
  const created = await page.evaluate(
    async ([repo, prompt]) => {
      const res = await fetch("/api/runs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ repo, prompt, executor: "agent", approvalMode: "risky" }),
      });
      return { status: res.status, body: (await res.json()) as { id: string } };
    },
    [repoName, `Tidy the repository [e2e:${name}]`],
  );
  expect(created.status).toBe(201);
  await page.goto(`${url}/runs/${created.body.id}`);
  return created.body.id;
}

const pendingCard = () => page.locator('[data-input-request][data-input-state="pending"]');
const status = (value: string) => page.locator(`[data-testid="run-status"] [data-status="${value}"]`).waitFor({ timeout: 60_000 });

describe("the agent asks, in the browser", () => {
  it("shows the approval card live; approving runs the command and its output appears", async () => {
    const runId = await startAgentRun([
      {
        content: [
          { type: "text", text: "The build folder is stale; removing it." },
          { type: "tool_use", name: "shell", input: { command: "rm -rf build && echo removed-the-build-folder" } },
        ],
      },
      { content: [{ type: "text", text: "Removed the stale build folder." }] },
    ]);
    const card = pendingCard();
    await card.waitFor({ timeout: 60_000 }).catch(async (err: Error) => {
      // Where the run got to, for a failure seen once in CI and never since.
      const run = await page.evaluate(async (id) => (await fetch(`/api/runs/${id}`)).json(), runId);
      throw new Error(`${err.message}\nthe run then: ${JSON.stringify(run).slice(0, 2_000)}`);
    });
    expect(await card.locator("[data-request-input]").textContent()).toBe("rm -rf build && echo removed-the-build-folder");
    expect(await card.textContent()).toContain("deletes files");
    await status("waiting_input");
    await screenshot(page, screensDir, "30-agent-approval-card");

    await card.locator('button[value="approve"]').click();
    await page.waitForFunction(() => document.querySelector("[data-terminal]")?.textContent?.includes("removed-the-build-folder"), null, { timeout: 30_000 });
    await status("awaiting_review");
    await page.locator('[data-event="assistant.text"]').filter({ hasText: "Removed the stale build folder." }).waitFor();
    await page.locator('[data-diff-file="build/out.txt"]').waitFor();
    await screenshot(page, screensDir, "31-agent-approved");
  });

  it("tells the agent of a denial, and the agent's next words acknowledge it", async () => {
    await startAgentRun([
      { content: [{ type: "tool_use", name: "shell", input: { command: "npm install left-pad" } }] },
      { content: [{ type: "text", text: "Understood, I will not install it. What I was told: {{lastResult}}" }] },
    ]);
    const card = pendingCard();
    await card.waitFor({ timeout: 60_000 });
    expect(await card.locator("[data-request-input]").textContent()).toBe("npm install left-pad");
    await card.locator('textarea[name="note"]').fill("no new dependencies");
    await card.locator('button[value="deny"]').click();

    const reply = page.locator('[data-event="assistant.text"]').filter({ hasText: "Understood, I will not install it." });
    await reply.waitFor({ timeout: 30_000 });
    expect(await reply.textContent()).toContain("The user denied this action: no new dependencies");
    expect(await page.locator('[data-tool-outcome="error"]').count()).toBe(1);
    await status("completed");
    await screenshot(page, screensDir, "32-agent-denied");
  });

  it("asks a question whose answer reaches the file the agent writes", async () => {
    await startAgentRun([
      { content: [{ type: "tool_use", name: "ask_human", input: { question: "Whom should the greeting address?" } }] },
      { content: [{ type: "tool_use", name: "write_file", input: { path: "greeting.txt", content: "Hello, {{lastResult}}!\n" } }] },
      { content: [{ type: "text", text: "Wrote the greeting." }] },
    ]);
    const card = pendingCard();
    await card.waitFor({ timeout: 60_000 });
    expect(await card.textContent()).toContain("Whom should the greeting address?");
    await card.locator('textarea[name="answer"]').fill("Ada Lovelace");
    await card.locator('button[type="submit"]').click();

    await status("awaiting_review");
    await page.locator('[data-diff-file="greeting.txt"]').waitFor();
    await page.locator('[data-testid="diff-panel"] [data-diff-body]').filter({ hasText: "Hello, Ada Lovelace!" }).waitFor({ timeout: 15_000 });
    await screenshot(page, screensDir, "33-agent-question-diff");
    expect(pageErrors).toEqual([]);
  });
});
