import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../tests/support/server";
import { launchBrowser } from "./support/browser";
import { signUpInBrowser } from "./support/ui";

/**
 * A disabled user's open live connections end, on every web process: the stack's `next start`
 * and a second `next start` on the same database and Redis (as behind a load balancer). The
 * member's live channels on both are read as a browser's EventSource would; the admin
 * disables the member on the users page.
 */
const { url, webEnv } = inject("stack");
const suffix = crypto.randomBytes(3).toString("hex");
const adminEmail = `revoke-admin-${suffix}@example.com`;
const memberEmail = `revoke-member-${suffix}@example.com`;

let browser: Browser;
let adminContext: BrowserContext;
let admin: Page;
let memberContext: BrowserContext;
let secondWeb: ChildProcess;
let secondUrl: string;
let secondOutput = "";

async function startSecondWeb(): Promise<void> {
  const port = await freePort();
  secondUrl = `http://localhost:${port}`;
  const next = path.resolve(import.meta.dirname, "..", "node_modules", ".bin", "next");
  secondWeb = spawn(next, ["start", "-p", String(port)], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...webEnv, PORT: String(port), NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const keep = (d: Buffer) => void (secondOutput = (secondOutput + d.toString()).slice(-20_000));
  secondWeb.stdout!.on("data", keep);
  secondWeb.stderr!.on("data", keep);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (secondWeb.exitCode !== null) throw new Error(`the second web process exited:\n${secondOutput}`);
    if (await fetch(`${secondUrl}/api/health`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the second web process did not start:\n${secondOutput}`);
}

/** Opens the live channel and reads it in the background; `ended` resolves with when the server ended it (null: still open at the deadline). */
async function openChannel(base: string, cookie: string): Promise<{ ended: Promise<number | null> }> {
  const res = await fetch(`${base}/api/events`, { headers: { cookie } });
  expect(res.status, `${base}/api/events`).toBe(200);
  const reader = res.body!.getReader();
  let seen = "";
  const decoder = new TextDecoder();
  // The channel is live once its first message (resync) arrived.
  while (!seen.includes("event: resync")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("the channel ended before it began");
    seen += decoder.decode(value);
  }
  const ended = (async () => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const chunk = await Promise.race([reader.read(), new Promise<"late">((r) => setTimeout(() => r("late"), Math.max(0, deadline - Date.now())))]);
      if (chunk === "late") {
        await reader.cancel().catch(() => undefined);
        return null;
      }
      if (chunk.done) return Date.now();
    }
  })();
  return { ended };
}

beforeAll(async () => {
  await startSecondWeb();
  browser = await launchBrowser();
  adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  admin = await adminContext.newPage();
  admin.on("dialog", (dialog) => void dialog.accept());
  await signUpInBrowser(admin, url, adminEmail, undefined, "admin");
  memberContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await signUpInBrowser(await memberContext.newPage(), url, memberEmail);
});

afterAll(async () => {
  await browser?.close();
  if (secondWeb && secondWeb.exitCode === null) {
    const exited = new Promise((r) => secondWeb.once("exit", r));
    process.kill(-secondWeb.pid!, "SIGTERM");
    await exited;
  }
});

describe("disabling a user cuts their live connections", () => {
  it("ends the member's live channels on both web processes within seconds; reconnecting is refused", async () => {
    const cookie = (await memberContext.cookies(url)).map((c) => `${c.name}=${c.value}`).join("; ");
    const first = await openChannel(url, cookie);
    const second = await openChannel(secondUrl, cookie);

    await admin.goto(`${url}/admin/users`);
    const row = admin.locator(`[data-user="${memberEmail}"]`);
    const disabledAt = Date.now();
    await row.locator('[data-testid="user-disable"]').click();
    await row.locator('[data-testid="user-disabled"]').waitFor();

    for (const channel of [first, second]) {
      const endedAt = await channel.ended;
      expect(endedAt, "the channel was still open 20 s later").not.toBeNull();
      expect(endedAt! - disabledAt).toBeLessThan(5_000);
    }
    for (const base of [url, secondUrl]) expect((await fetch(`${base}/api/events`, { headers: { cookie } })).status).toBe(401);
  });
});
