import crypto from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { requestHumanInput } from "../jobs/humanInput";
import { openJobSide, type JobSide } from "./support/jobSide";
import { signUpInBrowser } from "./support/ui";

/**
 * The app's shell as a person meets it (issue 13 items 2, 3, 4, 13): a link to a run opened
 * signed out lands on the run after signing in; the live indicators leave "Live" when the
 * live channel is cut; the phone layout (390×844) has a usable nav, no sideways scrolling and
 * touch-sized buttons; the light theme follows the system setting.
 */
const { url, databaseUrl, screensDir, redisUrl, redisPrefix } = inject("stack");

const PASSWORD = "correct horse battery";
const email = `shell-${crypto.randomBytes(3).toString("hex")}@example.com`;
const repoName = `shell-${crypto.randomBytes(3).toString("hex")}`;

let browser: Browser;
let jobSide: JobSide;
let home: Page;
let runId = "";
// A run that ended with changes to review, for the run page of a finished run and the review page.
let reviewRunId = "";
const contexts: BrowserContext[] = [];
let pageErrors: string[] = [];

async function newPage(options: Parameters<Browser["newContext"]>[0] = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  contexts.push(context);
  const page = await context.newPage();
  pageErrors.push(...collectPageErrors(page));
  return page;
}

async function signIn(page: Page): Promise<void> {
  await page.fill("#email", email);
  await page.fill("#password", PASSWORD);
  await page.click('button[type="submit"]');
}

beforeAll(async () => {
  browser = await launchBrowser();
  jobSide = await openJobSide({ databaseUrl, redisUrl, redisPrefix, repoName, readme: "# shell\n" });
  home = await newPage();
  pageErrors = collectPageErrors(home);
  await signUpInBrowser(home, url, email, PASSWORD);
  // A run that stays running while the tests look at it.
  runId = await home.evaluate(
    async ([repo]) => {
      const res = await fetch("/api/runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ repo, command: "sleep 600" }) });
      return ((await res.json()) as { id: string }).id;
    },
    [repoName],
  );
  expect(runId).toMatch(/^[0-9a-f-]{36}$/);
  reviewRunId = await home.evaluate(
    async ([repo]) => {
      const command = "printf '# shell\\n\\nRun by AgentDesk.\\n' > README.md && printf 'one\\ntwo\\n' > notes.md";
      const res = await fetch("/api/runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ repo, command }) });
      return ((await res.json()) as { id: string }).id;
    },
    [repoName],
  );
  await waitForStatus(runId, "running");
  // The running run asks for approval, as an agent would (the job process's part played here,
  // as in inputs.e2e.test.ts), so the pages show a pending request: the run page's action bar,
  // the inbox. Nobody answers it; the run is cancelled at the end.
  void requestHumanInput(jobSide.inputContext(runId), {
    requestId: "toolu_shell_1",
    kind: "approval",
    tool: "shell",
    input: { command: "npm publish --access public" },
    reasons: ["publishes a package"],
  }).catch(() => {});
  await waitForStatus(reviewRunId, "awaiting_review");
});

async function waitForStatus(id: string, status: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const run = await home.evaluate(async (runId) => ((await (await fetch(`/api/runs/${runId}`)).json()) as { status: string }).status, id);
    if (run === status) return;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${run}, never ${status}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

afterAll(async () => {
  if (runId) await home.evaluate((id) => fetch(`/api/runs/${id}/cancel`, { method: "POST" }), runId).catch(() => {});
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await jobSide?.close();
});

describe("sign-in brings you back to the page you asked for", () => {
  it("a signed-out link to a run goes to sign-in, then to the run", async () => {
    const page = await newPage();
    await page.goto(`${url}/runs/${runId}`);
    await page.waitForURL(`${url}/sign-in?next=${encodeURIComponent(`/runs/${runId}`)}`);
    await signIn(page);
    await page.waitForURL(`${url}/runs/${runId}`);
    await page.locator('[data-testid="run-status"]').waitFor();
  });

  it("a link with a query keeps it, and the link to sign-up carries it along", async () => {
    const page = await newPage();
    await page.goto(`${url}/?status=running`);
    await page.waitForURL(`${url}/sign-in?next=${encodeURIComponent("/?status=running")}`);
    expect(await page.getByRole("link", { name: "Create an account" }).getAttribute("href")).toBe(`/sign-up?next=${encodeURIComponent("/?status=running")}`);
    await signIn(page);
    await page.waitForURL(`${url}/?status=running`);
  });

  it("refuses to send anyone to another site after signing in", async () => {
    for (const next of ["//example.org/runs", "https://example.org/", "/\\example.org"]) {
      const page = await newPage();
      await page.goto(`${url}/sign-in?next=${encodeURIComponent(next)}`);
      await signIn(page);
      await page.waitForURL(`${url}/`);
      await page.context().close();
    }
  });

  it("a signed-in visit to sign-in goes straight to the page asked for", async () => {
    await home.goto(`${url}/sign-in?next=${encodeURIComponent(`/runs/${runId}`)}`);
    await home.waitForURL(`${url}/runs/${runId}`);
  });
});

describe("honest connection states", () => {
  it("shows Live on the run page and the runs list while the live channel is connected", async () => {
    await home.goto(`${url}/runs/${runId}`);
    await home.locator('[data-stream-state="live"]').waitFor({ timeout: 30_000 });
    await home.goto(url);
    await home.locator('[data-live-state="connected"]').filter({ hasText: "Updates live" }).waitFor({ timeout: 15_000 });
  });

  it("leaves Live when the live channel is cut: Reconnecting…, then Offline — updates paused", async () => {
    const page = await newPage();
    await page.goto(`${url}/sign-in`);
    await signIn(page);
    await page.waitForURL(`${url}/`);
    // From now on the tab's live channel cannot connect, as when the web cannot reach Redis.
    await page.route("**/api/events**", (route) => route.abort("connectionrefused"));
    await page.goto(`${url}/runs/${runId}`);
    const indicator = page.locator("[data-stream-state]");
    await page.locator('[data-stream-state="reconnecting"], [data-stream-state="offline"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-stream-state="offline"]').filter({ hasText: "Offline — updates paused" }).waitFor({ timeout: 15_000 });
    expect(await indicator.textContent()).not.toMatch(/^Live$/);
    await screenshot(page, screensDir, "shell-run-offline", false);

    await page.goto(url);
    await page.locator('[data-live-state="offline"]').filter({ hasText: "Offline — updates paused" }).waitFor({ timeout: 15_000 });
    expect(await page.getByText("Updates live").count()).toBe(0);

    // And back: the channel connects again and the page says so.
    await page.unroute("**/api/events**");
    await page.locator('[data-live-state="connected"]').waitFor({ timeout: 45_000 });
  });
});

const MAIN_PAGES = () => [
  { name: "runs", path: "/" },
  { name: "run", path: `/runs/${runId}` },
  { name: "run-finished", path: `/runs/${reviewRunId}` },
  { name: "review", path: `/runs/${reviewRunId}/review` },
  { name: "new-run", path: "/runs/new" },
  { name: "inbox", path: "/inbox" },
  { name: "templates", path: "/templates" },
  { name: "schedules", path: "/schedules" },
  { name: "rules", path: "/rules" },
  { name: "tokens", path: "/settings/tokens" },
  { name: "notifications", path: "/settings/notifications" },
  { name: "webhooks", path: "/settings/webhooks" },
];

describe("pending navigation feedback", () => {
  it("shows a progress bar from the click until the next page is there", async () => {
    await home.goto(url);
    await home.locator('[data-live-state="connected"]').waitFor({ timeout: 15_000 });
    // Hold the next page's request, as a slow server would.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await home.route("**/inbox**", async (route) => {
      await held;
      await route.continue();
    });
    await home.locator('nav >> text="Inbox"').click();
    await home.locator('[data-testid="navigation-progress"]').waitFor({ timeout: 5_000 });
    expect(await home.locator("html").getAttribute("aria-busy")).toBe("true");
    release();
    await home.waitForURL(`${url}/inbox`);
    await home.locator('[data-testid="navigation-progress"]').waitFor({ state: "detached", timeout: 10_000 });
    await home.unroute("**/inbox**");
  });
});

describe("on a phone (390×844)", () => {
  let phone: Page;
  beforeAll(async () => {
    phone = await newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true, storageState: await home.context().storageState() });
  });

  it("fits every main page without sideways scrolling, with finger-sized buttons", async () => {
    for (const { name, path } of MAIN_PAGES()) {
      await phone.goto(url + path);
      await phone.locator("main h1").first().waitFor();
      const width = await phone.evaluate(() => document.scrollingElement!.scrollWidth);
      expect(width, `${path} scrolls sideways`).toBeLessThanOrEqual(390);
      const small = await phone.evaluate(() =>
        [...document.querySelectorAll("button")]
          .filter((b) => b.offsetParent !== null)
          .map((b) => ({ text: (b.textContent ?? "").trim().slice(0, 30), height: b.getBoundingClientRect().height }))
          .filter((b) => b.height < 44),
      );
      expect(small, `${path} has buttons under 44 px`).toEqual([]);
      await screenshot(phone, screensDir, `phone-${name}`, false);
    }
  });

  it("opens the menu, reaches every link in it, and closes it on choosing one", async () => {
    await phone.goto(url);
    const inbox = phone.locator('#site-menu >> text="Inbox"');
    expect(await inbox.isVisible()).toBe(false);
    await phone.locator('[data-testid="nav-menu-button"]').click();
    for (const label of ["Runs", "New run", "Inbox", "Schedules", "Rules", "Settings", "Sign out"]) {
      const item = phone.locator(`#site-menu >> text="${label}"`);
      expect(await item.isVisible(), `${label} in the menu`).toBe(true);
      const box = (await item.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    await screenshot(phone, screensDir, "phone-menu-open", false);
    await inbox.click();
    await phone.waitForURL(`${url}/inbox`);
    await phone.locator("#site-menu").waitFor({ state: "hidden" });
  });
});

/** The lightness (0 dark … 1 light) of a computed CSS colour, as Chromium reports it (rgb, lab, oklab or oklch). */
function lightness(color: string): number {
  const lab = /^lab\(([\d.]+)/.exec(color);
  if (lab) return Number(lab[1]) / 100;
  const ok = /^ok(?:lch|lab)\(([\d.]+)(%?)/.exec(color);
  if (ok) return Number(ok[1]) / (ok[2] ? 100 : 1);
  const rgb = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(color);
  if (!rgb) throw new Error(`unreadable colour ${color}`);
  return (0.2126 * Number(rgb[1]) + 0.7152 * Number(rgb[2]) + 0.0722 * Number(rgb[3])) / 255;
}

describe("light and dark themes follow the system setting", () => {
  for (const theme of ["light", "dark"] as const) {
    it(`renders every main page ${theme}`, async () => {
      const page = await newPage({ colorScheme: theme, storageState: await home.context().storageState() });
      for (const { name, path } of MAIN_PAGES()) {
        await page.goto(url + path);
        await page.locator("main h1").first().waitFor();
        const colors = await page.evaluate(() => ({
          background: getComputedStyle(document.body).backgroundColor,
          text: getComputedStyle(document.querySelector("main h1")!).color,
        }));
        if (theme === "light") {
          expect(lightness(colors.background), `${path} background ${colors.background}`).toBeGreaterThan(0.85);
          expect(lightness(colors.text), `${path} heading ${colors.text}`).toBeLessThan(0.35);
        } else {
          expect(lightness(colors.background), `${path} background ${colors.background}`).toBeLessThan(0.2);
          expect(lightness(colors.text), `${path} heading ${colors.text}`).toBeGreaterThan(0.85);
        }
        await screenshot(page, screensDir, `${name}-${theme}`, false);
      }
      const signedOut = await newPage({ colorScheme: theme });
      await signedOut.goto(`${url}/sign-in`);
      await signedOut.locator("h1").waitFor();
      await screenshot(signedOut, screensDir, `sign-in-${theme}`, false);
    });
  }
});

describe("the admin pages", () => {
  const ADMIN_PAGES = [
    { name: "repos", path: "/repos" },
    { name: "repo-environment", path: `/repos/${repoName}/environment` },
    { name: "repo-webhooks", path: `/repos/${repoName}/webhooks` },
    { name: "admin", path: "/admin" },
    { name: "users", path: "/admin/users" },
    { name: "agents", path: "/admin/agents" },
    { name: "workspaces", path: "/admin/workspaces" },
    { name: "teams", path: "/admin/teams" },
    { name: "team", path: "/settings/team" },
    { name: "audit", path: "/settings/audit" },
    { name: "costs", path: "/team/costs" },
    { name: "invitations", path: "/settings/invitations" },
  ];

  it("fit a phone and render in both themes", async () => {
    const admin = await newPage();
    await signUpInBrowser(admin, url, `shell-admin-${crypto.randomBytes(3).toString("hex")}@example.com`, PASSWORD, "admin");
    const storageState = await admin.context().storageState();
    const phone = await newPage({ viewport: { width: 390, height: 844 }, hasTouch: true, storageState });
    for (const { path } of ADMIN_PAGES) {
      await phone.goto(url + path);
      await phone.locator("main h1").first().waitFor();
      expect(await phone.evaluate(() => document.scrollingElement!.scrollWidth), `${path} scrolls sideways`).toBeLessThanOrEqual(390);
    }
    for (const theme of ["light", "dark"] as const) {
      const page = await newPage({ colorScheme: theme, storageState });
      for (const { name, path } of ADMIN_PAGES) {
        await page.goto(url + path);
        await page.locator("main h1").first().waitFor();
        await screenshot(page, screensDir, `${name}-${theme}`, false);
      }
    }
    // Twelve pages, each loaded three times (phone, light, dark).
  }, 240_000);
});

describe("no page errors", () => {
  it("logged no errors in the browser", () => {
    // Aborted live-channel requests are the test's own doing.
    expect(pageErrors.filter((e) => !/api\/events|ERR_CONNECTION_REFUSED|net::ERR_FAILED/.test(e))).toEqual([]);
  });
});
