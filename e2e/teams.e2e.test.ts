import crypto from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { requestHumanInput } from "../jobs/humanInput";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { openJobSide, type JobSide } from "./support/jobSide";
import { ownTeamFor, signUpInBrowser } from "./support/ui";

/**
 * Teams in the browser, against the real stack: a team's owner invites a viewer from the Team
 * page; the viewer reads the team's runs (the finished one's diff, the waiting one's approval)
 * with no button to act; someone of another team gets the not-found page for the same run.
 */
const { url, databaseUrl, screensDir, redisUrl, redisPrefix } = inject("stack");

let browser: Browser;
let ownerPage: Page;
let viewerPage: Page;
let jobSide: JobSide;
let teamId = "";
let reviewRun = "";
let waitingRun = "";
const tag = crypto.randomBytes(3).toString("hex");
const ownerEmail = `team-owner-${tag}@example.com`;
const viewerEmail = `team-viewer-${tag}@example.com`;
const repoName = `teams-${tag}`;
let errors: string[][] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  ownerPage = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  viewerPage = await (await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "light" })).newPage();
  errors = [collectPageErrors(ownerPage), collectPageErrors(viewerPage)];
  jobSide = await openJobSide({ databaseUrl, redisUrl, redisPrefix, repoName: `${repoName}-first`, readme: "# teams\n" });
});

afterAll(async () => {
  if (waitingRun) await ownerPage.evaluate((id) => fetch(`/api/runs/${id}/cancel`, { method: "POST" }), waitingRun).catch(() => {});
  await browser?.close();
  await jobSide?.close();
});

async function startRun(command: string): Promise<string> {
  const created = await ownerPage.evaluate(
    async ([repo, cmd]) => {
      const res = await fetch("/api/runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ repo, command: cmd }) });
      return { status: res.status, body: (await res.json()) as { id: string } };
    },
    [repoName, command],
  );
  expect(created.status).toBe(201);
  return created.body.id;
}

describe("a team's viewer and another team", () => {
  it("gives the owner a team of their own with a repository and two runs", async () => {
    await signUpInBrowser(ownerPage, url, ownerEmail);
    teamId = await ownTeamFor(ownerEmail, `Design ${tag}`);
    await jobSide.db.query("insert into repository (id, team_id, name, url, default_branch) values ($1, $2, $3, $4, 'main')", [
      crypto.randomUUID(),
      teamId,
      repoName,
      jobSide.repo.url,
    ]);
    reviewRun = await startRun("echo hello > hello.txt");
    waitingRun = await startRun('echo "working"; sleep 300');
    await ownerPage.goto(`${url}/runs/${waitingRun}`);
    await ownerPage.waitForFunction(() => document.querySelector("[data-terminal]")?.textContent?.includes("working"), null, { timeout: 60_000 });
    // The job asks for an approval, as the agent loop would.
    void requestHumanInput(jobSide.inputContext(waitingRun), {
      requestId: "toolu_team_1",
      kind: "approval",
      tool: "shell",
      input: { command: "npm publish" },
      reasons: ["publishes a package"],
    }).catch(() => {});
    // The owner may answer: the card has its buttons.
    await ownerPage.getByRole("button", { name: "Approve", exact: true }).first().waitFor({ timeout: 30_000 });
  });

  it("lets the owner invite a viewer from the Team page", async () => {
    await ownerPage.goto(`${url}/settings/team`);
    await ownerPage.locator(`[data-member="${ownerEmail}"]`).waitFor();
    expect(await ownerPage.locator('[data-member] [data-testid="member-role"]').allTextContents()).toEqual(["owner"]);
    await screenshot(ownerPage, screensDir, "teams-01-team-page");
    await ownerPage.click('a:has-text("Invite someone")');
    await ownerPage.waitForURL(`${url}/settings/invitations`);
    await ownerPage.fill("#email", viewerEmail);
    await ownerPage.selectOption("#teamRole", "viewer");
    await ownerPage.click('button:has-text("Create invitation link")');
    const link = (await ownerPage.locator("[data-invitation-url]").textContent())!.trim();
    expect(await ownerPage.getByTestId("new-invitation").textContent()).toContain("as viewer");

    await viewerPage.goto(link);
    await viewerPage.getByTestId("invitation-info").waitFor();
    expect(await viewerPage.getByTestId("invitation-info").textContent()).toMatch(new RegExp(`to Design ${tag} as a viewer`));
    await viewerPage.fill("#name", "Vera");
    await viewerPage.fill("#password", "correct horse battery");
    await viewerPage.click('button[type="submit"]');
    await viewerPage.waitForURL(`${url}/`);
  });

  it("shows the viewer the team's runs read-only: no approve, review or cancel", async () => {
    // The runs list: the owner's runs, with their owner.
    await viewerPage.locator(`a[href="/runs/${reviewRun}"]`).first().waitFor({ timeout: 30_000 });
    // The finished run: its diff to read, no decision to take.
    await viewerPage.goto(`${url}/runs/${reviewRun}`);
    await viewerPage.locator('[data-testid="run-status"]', { hasText: /review/i }).waitFor({ timeout: 60_000 });
    await viewerPage.getByTestId("read-only-note").waitFor();
    expect(await viewerPage.getByRole("button", { name: /^Push/ }).count()).toBe(0);
    expect(await viewerPage.getByRole("button", { name: "Discard" }).count()).toBe(0);
    expect(await viewerPage.getByRole("button", { name: /Re-run/ }).count()).toBe(0);
    await viewerPage.goto(`${url}/runs/${reviewRun}/review`);
    await viewerPage.getByTestId("read-only-note").waitFor();
    await viewerPage.getByText("hello.txt").first().waitFor();
    expect(await viewerPage.getByRole("button", { name: /^Push/ }).count()).toBe(0);
    await screenshot(viewerPage, screensDir, "teams-02-viewer-review");

    // The waiting run: the request is shown, not answerable; nothing to cancel.
    await viewerPage.goto(`${url}/runs/${waitingRun}`);
    await viewerPage.getByText("Waiting for the run's owner or a team admin to answer.").waitFor({ timeout: 30_000 });
    expect(await viewerPage.getByRole("button", { name: "Approve", exact: true }).count()).toBe(0);
    expect(await viewerPage.getByRole("button", { name: /Deny/ }).count()).toBe(0);
    expect(await viewerPage.getByTestId("cancel-form").count()).toBe(0);
    await screenshot(viewerPage, screensDir, "teams-03-viewer-approval");

    // The Team page lists the members, read-only for a viewer.
    await viewerPage.goto(`${url}/settings/team`);
    await viewerPage.locator(`[data-member="${viewerEmail}"]`).waitFor();
    expect(await viewerPage.locator(`[data-member="${ownerEmail}"] button`).count()).toBe(0);
    expect(await viewerPage.getByRole("button", { name: "Save" }).count()).toBe(0);
    // And the New run page does not let a viewer start one (the API refuses with 403).
    const refused = await viewerPage.evaluate(
      async (repo) => (await fetch("/api/runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ repo, command: "true" }) })).status,
      repoName,
    );
    expect(refused).toBe(403);
  });

  it("gives someone of another team the not-found page for the same run", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const email = `other-team-${tag}@example.com`;
    await signUpInBrowser(page, url, email);
    await ownTeamFor(email, `Other ${tag}`);
    const response = await page.goto(`${url}/runs/${reviewRun}`);
    expect(response?.status()).toBe(404);
    await page.getByText("Nothing here").waitFor();
    await screenshot(page, screensDir, "teams-04-other-team-not-found");
    await context.close();
    // The viewer's refused POST logs nothing in the page; only the 404 page's own request may.
    expect(errors.flat().filter((e) => !/status of 40[34]/.test(e))).toEqual([]);
  });
});
