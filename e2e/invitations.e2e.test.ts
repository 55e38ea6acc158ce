import crypto from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { signUpInBrowser } from "./support/ui";

const { url, screensDir } = inject("stack");
const suffix = crypto.randomBytes(3).toString("hex");
const adminEmail = `inviter-${suffix}@example.com`;
const inviteeEmail = `invitee-${suffix}@example.com`;

let browser: Browser;
let adminContext: BrowserContext;
let admin: Page;
let adminErrors: string[] = [];
let invitationUrl = "";

beforeAll(async () => {
  browser = await launchBrowser();
  adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  admin = await adminContext.newPage();
  adminErrors = collectPageErrors(admin);
  await signUpInBrowser(admin, url, adminEmail, undefined, "admin");
});

afterAll(async () => {
  await browser?.close();
});

/** A signed-out browser, as the person who receives the link. */
async function freshPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  return { context, page, errors: collectPageErrors(page) };
}

describe("sign-up by invitation", () => {
  it("sends frame protection and a nonce-based CSP on pages and API responses", async () => {
    const response = await admin.goto(`${url}/settings/invitations`);
    const headers = response!.headers();
    expect(headers["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
    expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    // Next put the response's nonce on the scripts it rendered (the rest load through them).
    const nonce = /'nonce-([^']+)'/.exec(headers["content-security-policy"]!)![1]!;
    expect(await admin.evaluate((n) => [...document.querySelectorAll("script")].filter((s) => s.nonce === n).length, nonce)).toBeGreaterThan(0);
    const api = await fetch(`${url}/api/health`);
    expect(api.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(api.headers.get("x-frame-options")).toBe("DENY");
  });

  it("keeps counting sign-in attempts per socket address however X-Forwarded-For rotates", async () => {
    // 127.0.0.2 is a loopback address no other test uses: its own rate-limit bucket.
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await fetch(`${url.replace("localhost", "127.0.0.2")}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: url, "x-forwarded-for": `198.51.100.${i + 1}` },
        body: JSON.stringify({ email: adminEmail, password: "wrong password" }),
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it("tells a visitor without a link that sign-up is by invitation", async () => {
    const { context, page, errors } = await freshPage();
    await page.goto(`${url}/sign-up`);
    const closed = page.getByTestId("sign-up-closed");
    await closed.waitFor();
    expect(await closed.textContent()).toContain("Sign-up is by invitation only");
    expect(await page.locator("#password").count()).toBe(0);
    await screenshot(page, screensDir, "30-sign-up-closed");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("lets an admin create an invitation link bound to an address", async () => {
    await admin.click('nav[aria-label="Main"] >> text="Settings"');
    await admin.click('nav[aria-label="Settings"] >> text="Invitations"');
    await admin.waitForURL(`${url}/settings/invitations`);
    await admin.fill("#email", inviteeEmail);
    await admin.click('button:has-text("Create invitation link")');
    const link = admin.locator("[data-invitation-url]");
    await link.waitFor();
    invitationUrl = (await link.textContent())!.trim();
    expect(invitationUrl).toMatch(new RegExp(`^${url}/sign-up\\?invite=adi_`));
    const row = admin.locator('[data-testid="invitation-list"] li', { hasText: inviteeEmail });
    expect(await row.getAttribute("data-status")).toBe("pending");
    await screenshot(admin, screensDir, "31-invitation-created");
  });

  it("signs the invitee up through the link, showing who invited them", async () => {
    const { context, page, errors } = await freshPage();
    await page.goto(invitationUrl);
    const info = page.getByTestId("invitation-info");
    await info.waitFor();
    expect(await info.textContent()).toContain(adminEmail);
    expect(await info.textContent()).toContain(inviteeEmail);
    expect(await page.inputValue("#email")).toBe(inviteeEmail);
    expect(await page.locator("#email").isEditable()).toBe(false);
    await screenshot(page, screensDir, "32-sign-up-invited");
    await page.fill("#name", "Invitee");
    await page.fill("#password", "correct horse battery");
    await page.click('button[type="submit"]');
    await page.waitForURL(`${url}/`);
    expect(await page.locator('nav >> text="Invitations"').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("does not take the same link twice, and shows it used on the admin's page", async () => {
    const { context, page } = await freshPage();
    await page.goto(invitationUrl);
    const closed = page.getByTestId("sign-up-closed");
    await closed.waitFor();
    expect(await closed.textContent()).toContain("already been used");
    await context.close();

    await admin.reload();
    const row = admin.locator('[data-testid="invitation-list"] li', { hasText: inviteeEmail });
    await row.waitFor();
    expect(await row.getAttribute("data-status")).toBe("used");
    expect(await row.textContent()).toContain(`by ${inviteeEmail}`);
    await screenshot(admin, screensDir, "33-invitation-used");
  });

  it("revokes a pending invitation from the list", async () => {
    await admin.click('button:has-text("Create invitation link")');
    await admin.locator("[data-invitation-url]").waitFor();
    const revokedUrl = (await admin.locator("[data-invitation-url]").textContent())!.trim();
    const row = admin.locator('[data-testid="invitation-list"] li[data-status="pending"]', { hasText: "Any email address" }).first();
    admin.once("dialog", (dialog) => void dialog.accept());
    await row.locator('button:has-text("Revoke")').click();
    await row.waitFor({ state: "detached" });
    const { context, page } = await freshPage();
    await page.goto(revokedUrl);
    await page.getByTestId("sign-up-closed").waitFor();
    expect(await page.getByTestId("sign-up-closed").textContent()).toContain("not valid");
    await context.close();
    expect(adminErrors).toEqual([]);
  });
});
