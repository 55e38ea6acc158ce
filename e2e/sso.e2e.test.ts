import crypto from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startOidcServer, type OidcServer } from "../tests/support/oidcServer";
import { freePort, startAgentDesk, type RunningAgentDesk } from "../tests/support/server";
import { launchBrowser, screenshot } from "./support/browser";
import { adminQuery, POSTGRES_ADMIN_URL } from "./support/stack";

// Single sign-on end to end in Chromium against a real OpenID Connect server (oidc-provider):
// an AgentDesk of its own with PASSWORD_SIGN_IN=off, OIDC configured and a rule that lets
// corp.example in. The first person through becomes its admin.
const { redisUrl, screensDir } = inject("stack");
let oidc: OidcServer;
let agentDesk: RunningAgentDesk;
let browser: Browser;
const dbName = `agentdesk_sso_${crypto.randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  await adminQuery(`create database ${dbName}`);
  const port = await freePort();
  const appUrl = `http://localhost:${port}`;
  oidc = await startOidcServer({ redirectUris: [`${appUrl}/api/auth/callback/oidc`] });
  oidc.accounts.set("ada", { email: "ada@corp.example", name: "Ada Lovelace", groups: ["staff"] });
  oidc.accounts.set("eve", { email: "eve@elsewhere.example", name: "Eve" });
  agentDesk = await startAgentDesk({
    REDIS_URL: redisUrl,
    DATABASE_URL: Object.assign(new URL(POSTGRES_ADMIN_URL), { pathname: `/${dbName}` }).toString(),
    PORT: String(port),
    APP_URL: appUrl,
    PASSWORD_SIGN_IN: "off",
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID: oidc.clientId,
    OIDC_CLIENT_SECRET: oidc.clientSecret,
    OIDC_NAME: "Acme SSO",
    OIDC_SCOPES: "openid email profile groups",
    SSO_TEAM_RULES: JSON.stringify([{ emailDomain: "corp.example", team: "default", role: "member" }]),
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await agentDesk?.stop();
  await oidc?.close();
  await adminQuery(`drop database if exists ${dbName} with (force)`);
});

/** At the provider's own login page: its login name and password fields and its button. */
async function signInAtProviderPage(page: import("playwright-core").Page, login: string) {
  await page.waitForURL((u) => u.origin === oidc.issuer);
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', "any password");
  await page.click('button[type="submit"]');
}

describe("single sign-on in the browser", () => {
  it("signs in with the OIDC provider and lands on the page that was asked for", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // Errors of our pages only: the provider's own page loads web fonts this machine cannot reach.
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error" && msg.location().url.startsWith(agentDesk.url)) errors.push(`console: ${msg.text()}`);
    });
    await page.goto(`${agentDesk.url}/inbox`);
    await page.waitForURL(`${agentDesk.url}/sign-in?next=%2Finbox`);
    // Password sign-in is off: no password field, one button per provider.
    expect(await page.locator('input[type="password"]').count()).toBe(0);
    const button = page.getByRole("button", { name: "Sign in with Acme SSO" });
    await button.waitFor();
    await screenshot(page, screensDir, "sso-sign-in");
    await button.click();
    await signInAtProviderPage(page, "ada");
    await page.waitForURL(`${agentDesk.url}/inbox`);
    const session = await page.evaluate(async () => (await fetch("/api/auth/get-session")).json());
    expect(session.user.email).toBe("ada@corp.example");
    expect(session.user.role).toBe("admin");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows someone no rule lets in a clear not-allowed message, signed out", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${agentDesk.url}/sign-in`);
    await page.getByRole("button", { name: "Sign in with Acme SSO" }).click();
    await signInAtProviderPage(page, "eve");
    await page.waitForURL((u) => u.pathname === "/sign-in" && u.searchParams.get("error") === "SSO_NOT_ALLOWED");
    const problem = page.getByTestId("sign-in-problem");
    await expect(problem.textContent()).resolves.toMatch(/Not allowed.*Ask an admin to invite you/);
    await screenshot(page, screensDir, "sso-not-allowed");
    const session = await page.evaluate(async () => (await fetch("/api/auth/get-session")).json());
    expect(session).toBeNull();
    await context.close();
  });
});
