import crypto from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestRepo, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { signUpInBrowser } from "./support/ui";

/**
 * Issue 13 item 12: an admin edits a repository and tests its connection through a job
 * process; disables a user, whose open browser session is sent to sign-in; makes a password
 * reset link, through which the user sets a new password and signs in.
 */
const { url, screensDir } = inject("stack");
const suffix = crypto.randomBytes(3).toString("hex");
const adminEmail = `users-admin-${suffix}@example.com`;
const memberEmail = `users-member-${suffix}@example.com`;
const repoName = `admin-e2e-${suffix}`;

let browser: Browser;
let adminContext: BrowserContext;
let admin: Page;
let adminErrors: string[] = [];
let memberContext: BrowserContext;
let member: Page;
let memberErrors: string[] = [];
let repo: TestRepo;

beforeAll(async () => {
  repo = await createTestRepo({ files: { "README.md": "hello\n" } });
  browser = await launchBrowser();
  adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  admin = await adminContext.newPage();
  adminErrors = collectPageErrors(admin);
  // Confirmation questions (disable, delete) are answered yes.
  admin.on("dialog", (dialog) => void dialog.accept());
  await signUpInBrowser(admin, url, adminEmail, undefined, "admin");
  memberContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  member = await memberContext.newPage();
  memberErrors = collectPageErrors(member);
  await signUpInBrowser(member, url, memberEmail);
});

afterAll(async () => {
  await browser?.close();
  await repo?.remove();
});

/** Submits the edit form and waits for its server action's answer (the page is refreshed with it). */
async function save(form: ReturnType<Page["locator"]>): Promise<void> {
  await Promise.all([
    admin.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/repos"),
    form.locator('button:has-text("Save changes")').click(),
  ]);
  await form.getByText("Saved.").waitFor();
}

describe("admin: repositories and users", () => {
  it("edits a repository and tests its connection", async () => {
    await admin.goto(`${url}/repos`);
    await admin.fill("#name", repoName);
    await admin.fill("#url", repo.url);
    await admin.click('button:has-text("Register repository")');
    const row = admin.locator(`[data-repo="${repoName}"]`);
    await row.waitFor();

    // Edit: a default branch the remote does not have; the test then says so.
    await row.locator('[data-testid="repo-edit"] summary').click();
    const form = row.locator(`[data-repo-edit-of="${repoName}"]`);
    await form.locator('input[name="defaultBranch"]').fill("develop");
    await save(form);

    await row.locator('button:has-text("Test connection")').click();
    const result = row.locator('[data-testid="repo-test-result"]');
    await result.waitFor({ timeout: 40_000 });
    expect(await result.getAttribute("data-ok")).toBe("true");
    expect(await result.textContent()).toMatch(/1 branch but no develop/);
    await screenshot(admin, screensDir, "40-repo-edit-test");

    // Back to main: the remote has it.
    await row.locator('[data-testid="repo-edit"] summary').click();
    if (!(await form.isVisible())) await row.locator('[data-testid="repo-edit"] summary').click();
    await form.locator('input[name="defaultBranch"]').fill("main");
    await save(form);
    await row.locator('button:has-text("Test connection")').click();
    await row.locator('[data-testid="repo-test-result"]', { hasText: "including the default branch main" }).waitFor({ timeout: 40_000 });
  });

  it("disables a user: their open session is sent to sign-in and signing in is refused", async () => {
    await member.goto(`${url}/`);
    expect(new URL(member.url()).pathname).toBe("/");

    await admin.goto(`${url}/admin`);
    await admin.locator('nav[aria-label="Admin sections"] >> text="Users"').click();
    await admin.waitForURL(`${url}/admin/users`);
    const row = admin.locator(`[data-user="${memberEmail}"]`);
    await row.locator('[data-testid="user-disable"]').click();
    await row.locator('[data-testid="user-disabled"]').waitFor();
    await screenshot(admin, screensDir, "41-admin-users");

    await member.goto(`${url}/`);
    await member.waitForURL(/\/sign-in/);
    await member.fill("#email", memberEmail);
    await member.fill("#password", "correct horse battery");
    await member.click('button[type="submit"]');
    await member.getByText("This account is disabled").waitFor();
    // The browser logs the refused sign-in (403) as a failed resource: expected here, and only here.
    expect(memberErrors).toEqual(["console: Failed to load resource: the server responded with a status of 403 (FORBIDDEN)"]);
    memberErrors.length = 0;

    await row.locator('[data-testid="user-disable"]', { hasText: "Enable" }).click();
    await row.locator('[data-testid="user-disabled"]').waitFor({ state: "detached" });
  });

  it("creates a reset link; the user sets a new password through it and signs in", async () => {
    const row = admin.locator(`[data-user="${memberEmail}"]`);
    await row.locator('[data-testid="user-reset-link"]').click();
    const link = (await row.locator("[data-reset-url]").textContent())!.trim();
    expect(link).toMatch(new RegExp(`^${url}/reset-password\\?token=adr_`));

    await member.goto(link);
    await member.getByText(`For ${memberEmail}`).waitFor();
    await member.fill("#password", "a new phone passphrase");
    await member.fill("#confirm", "a new phone passphrase");
    await screenshot(member, screensDir, "42-reset-password-phone");
    await member.click('button:has-text("Set password")');
    await member.locator('[data-testid="reset-password-done"]').waitFor();

    // The link worked once.
    await member.goto(link);
    await member.getByText("This link no longer works").waitFor();

    await member.goto(`${url}/sign-in`);
    await member.fill("#email", memberEmail);
    await member.fill("#password", "a new phone passphrase");
    await member.click('button[type="submit"]');
    await member.waitForURL(`${url}/`);
    expect(adminErrors).toEqual([]);
    expect(memberErrors).toEqual([]);
  });
});
