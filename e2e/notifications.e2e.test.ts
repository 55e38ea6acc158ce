import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { openJobSide, type JobSide } from "./support/jobSide";
import { signUpInBrowser } from "./support/ui";

/**
 * Notifications in the browser against the real stack: a run of the user's reaching review
 * (and one failing) gives one system notification each, which opens the review; the settings
 * page saves a webhook and "send a test message" reaches a receiver here, its delivery shown in
 * the log. The Notification API is replaced by a recorder (a headless browser shows nothing),
 * with the permission granted in the context as a person would.
 */
const { url, databaseUrl, screensDir, redisUrl, redisPrefix } = inject("stack");

type Shown = { title: string; body?: string; tag?: string };

const recordNotifications = () => {
  const shown: Shown[] = [];
  const objects: { onclick: (() => void) | null }[] = [];
  Object.assign(window, { __notifications: shown, __notificationObjects: objects });
  class RecordingNotification {
    static get permission(): NotificationPermission {
      return "granted";
    }
    static requestPermission = async (): Promise<NotificationPermission> => "granted";
    onclick: (() => void) | null = null;
    constructor(title: string, options?: NotificationOptions) {
      shown.push({ title, body: options?.body, tag: options?.tag });
      objects.push(this);
    }
    close() {}
  }
  (window as unknown as { Notification: unknown }).Notification = RecordingNotification;
};

let browser: Browser;
let context: BrowserContext;
let page: Page;
let jobSide: JobSide;
let pageErrors: string[] = [];
let receiver: http.Server;
let receiverUrl = "";
const received: { path: string; body: { text: string; agentdesk: { event: string } } }[] = [];
let onReceived = () => {};
const email = `notify-${crypto.randomBytes(3).toString("hex")}@example.com`;
const repoName = `notify-${crypto.randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => {
      received.push({ path: req.url ?? "/", body: JSON.parse(text) as (typeof received)[number]["body"] });
      // "/flaky" is down for its first request, as a receiver being deployed would be.
      const down = req.url === "/flaky" && received.filter((r) => r.path === "/flaky").length === 1;
      res.writeHead(down ? 500 : 200).end(down ? "deploying" : "ok");
      onReceived();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["notifications"], { origin: url });
  await context.addInitScript(recordNotifications);
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  jobSide = await openJobSide({ databaseUrl, redisUrl, redisPrefix, repoName, readme: "# notify\n" });
});

afterAll(async () => {
  await browser?.close();
  await jobSide?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

const shown = () => page.evaluate(() => (window as unknown as { __notifications: Shown[] }).__notifications);

async function startRun(command: string): Promise<string> {
  const created = await page.evaluate(
    async ([repo, command]) => {
      const res = await fetch("/api/runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ repo, command }) });
      return (await res.json()) as { id: string };
    },
    [repoName, command],
  );
  return created.id;
}

async function runStatusIs(runId: string, status: string) {
  await page.waitForFunction(
    async ([id, status]) => ((await (await fetch(`/api/runs/${id}`)).json()) as { status: string }).status === status,
    [runId, status],
    { timeout: 90_000, polling: 500 },
  );
}

describe("notifications", () => {
  it("notifies once when the user's run is ready for review, and once when one fails; the notification opens the review", async () => {
    await signUpInBrowser(page, url, email);
    // The runs list, not the run: a page showing the run itself does not notify about it.
    const reviewed = await startRun("echo ready > ready.txt");
    await runStatusIs(reviewed, "awaiting_review");
    await page.waitForFunction((tag) => (window as unknown as { __notifications: Shown[] }).__notifications.some((n) => n.tag === tag), `${reviewed}/review`, {
      timeout: 30_000,
    });

    const failed = await startRun("echo half > half.txt && exit 3");
    await runStatusIs(failed, "failed");
    await page.waitForFunction((tag) => (window as unknown as { __notifications: Shown[] }).__notifications.some((n) => n.tag === tag), `${failed}/failed`, {
      timeout: 30_000,
    });

    // Both arrived, each once (the review's long before the failure's was shown).
    const all = await shown();
    expect(all.filter((n) => n.tag === `${reviewed}/review`)).toEqual([
      { title: expect.stringMatching(/^Ready for review: .*ready/), body: expect.stringContaining(repoName), tag: `${reviewed}/review` },
    ]);
    expect(all.filter((n) => n.tag === `${failed}/failed`)).toEqual([
      { title: expect.stringMatching(/^Run failed: .*half/), body: expect.stringContaining(repoName), tag: `${failed}/failed` },
    ]);
    expect(all.filter((n) => n.tag?.startsWith(reviewed) || n.tag?.startsWith(failed))).toHaveLength(2);

    const index = all.findIndex((n) => n.tag === `${reviewed}/review`);
    await page.evaluate((i) => (window as unknown as { __notificationObjects: { onclick: (() => void) | null }[] }).__notificationObjects[i]!.onclick?.(), index);
    await page.waitForURL(`${url}/runs/${reviewed}/review`);
  });

  it("saves a webhook on the settings page, and its test message reaches the receiver and the log", async () => {
    await page.goto(`${url}/settings/notifications`);
    await page.locator('nav[aria-label="Settings"] a[aria-current="page"]', { hasText: "Notifications" }).waitFor();
    expect(await page.locator("[data-send-test]").isDisabled()).toBe(true);

    await page.fill("#webhookUrl", "not a url");
    await page.click('[data-webhook-form] button[type="submit"]');
    await page.locator('[data-field-error="webhookUrl"]').waitFor();

    await page.fill("#webhookUrl", `${receiverUrl}/hook`);
    await page.uncheck('input[name="state_input"]');
    await page.click('[data-webhook-form] button[type="submit"]');
    await page.locator("[data-webhook-saved]").waitFor();
    const { rows } = await jobSide.db.query<{ webhook_url: string; states: string[] }>(
      `select webhook_url, states from notification_setting s join "user" u on u.id = s.user_id where u.email = $1`,
      [email],
    );
    expect(rows).toEqual([{ webhook_url: `${receiverUrl}/hook`, states: ["review", "failed"] }]);

    const arrived = new Promise<void>((resolve) => (onReceived = resolve));
    await page.locator("[data-send-test]:not([disabled])").click();
    await arrived;
    expect(received.map((r) => [r.path, r.body.agentdesk.event])).toEqual([["/hook", "test"]]);
    expect(received[0]!.body.text).toContain(`${url}/settings/notifications`);
    await page.locator('[data-delivery="delivered"]', { hasText: "Test message" }).waitFor({ timeout: 15_000 });
    await screenshot(page, screensDir, "60-settings-notifications");
    expect(pageErrors).toEqual([]);
  });

  it("an outgoing webhook's log follows a delivery live: the failed first attempt, then the retry that lands", async () => {
    await page.goto(`${url}/settings/webhooks`);
    await page.fill("#url", `${receiverUrl}/flaky`);
    await page.fill("#description", "Flaky receiver");
    await page.click('[data-create-endpoint] button[type="submit"]');
    const card = page.locator("[data-endpoint]");
    await card.waitFor();
    await card.locator('button:has-text("Send a ping")').click();
    // No reload from here on: the log reads itself again while the delivery is pending.
    const ping = card.locator("[data-delivery]", { hasText: "ping" });
    await ping.locator("text=retrying").waitFor({ timeout: 15_000 });
    expect(await ping.textContent()).toMatch(/1 attempt · HTTP 500/);
    await card.locator('[data-delivery-status="delivered"]', { hasText: "ping" }).waitFor({ timeout: 20_000 });
    expect(await ping.textContent()).toMatch(/2 attempts · HTTP 200/);
    expect(received.filter((r) => r.path === "/flaky")).toHaveLength(2);
    expect(pageErrors).toEqual([]);
  });

  it("the settings page fits a phone", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, storageState: await context.storageState() });
    const phonePage = await phone.newPage();
    await phonePage.goto(`${url}/settings/notifications`);
    await phonePage.locator("[data-webhook-form]").waitFor();
    const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phonePage, screensDir, "61-phone-settings-notifications");
    await phone.close();
  });
});
