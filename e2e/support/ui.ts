import crypto from "node:crypto";
import pg from "pg";
import type { Page } from "playwright-core";
import { inject } from "vitest";
import { INVITATION_PREFIX, invitationTokenHash } from "../../lib/services/invitations";

/**
 * An invitation link for `email` from the stack's first admin, written straight into the
 * database as POST /api/invitations would; null while nobody has signed up (the first account
 * needs none). invitations.e2e.test.ts creates its links through the admin's page instead.
 */
async function invitationLinkFor(baseUrl: string, email: string, role: "user" | "admin"): Promise<string | null> {
  const db = new pg.Client({ connectionString: inject("stack").databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string }>(`select id from "user" where role = 'admin' order by created_at limit 1`);
    if (!rows[0]) return null;
    const token = INVITATION_PREFIX + crypto.randomBytes(32).toString("base64url");
    await db.query(
      `insert into invitation (id, token_hash, email, role, created_by, expires_at) values ($1, $2, $3, $4, $5, now() + interval '1 hour')`,
      [crypto.randomUUID(), invitationTokenHash(token), email.toLowerCase(), role, rows[0].id],
    );
    return `${baseUrl}/sign-up?invite=${token}`;
  } finally {
    await db.end();
  }
}

/**
 * Signs up through the sign-up page (with an invitation link once the first account exists,
 * as sign-up is closed by default) and waits for the runs page.
 */
export async function signUpInBrowser(
  page: Page,
  baseUrl: string,
  email: string,
  password = "correct horse battery",
  role: "user" | "admin" = "user",
): Promise<void> {
  await page.goto((await invitationLinkFor(baseUrl, email, role)) ?? `${baseUrl}/sign-up`);
  await page.fill("#name", email.split("@")[0]!);
  // A link bound to an address shows it, read-only.
  if (await page.locator("#email").isEditable()) await page.fill("#email", email);
  await page.fill("#password", password);
  // Every file signs its users up from this one address, and sign-up allows 10 a minute per
  // address: when the files before used them up, wait as the form says and submit again.
  const limited = page.getByText("Too many attempts. Wait a minute and try again.");
  for (let attempt = 0; ; attempt++) {
    await page.click('button[type="submit"]');
    // The loser of the race times out later: caught, so it is not an unhandled rejection.
    const outcome = await Promise.race([
      page.waitForURL(`${baseUrl}/`).then(() => "signed-up" as const, () => "no page" as const),
      limited.waitFor().then(() => "limited" as const, () => "no page" as const),
    ]);
    if (outcome === "signed-up") return;
    if (outcome === "no page") throw new Error(`sign-up of ${email} neither reached the runs page nor said it was rate limited`);
    if (attempt >= 8) throw new Error(`sign-up of ${email} still rate limited after ${attempt + 1} tries`);
    await page.waitForTimeout(10_000);
  }
}
