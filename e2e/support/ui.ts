import crypto from "node:crypto";
import pg from "pg";
import type { Page } from "playwright-core";
import { inject } from "vitest";
import { INVITATION_PREFIX, invitationTokenHash } from "../../lib/services/invitations";

/**
 * An invitation link for `email` from the stack's first admin into the team that admin works
 * in, written straight into the database as POST /api/invitations would (an "admin" joins it
 * as a team admin); null while nobody has signed up (the first account needs none).
 * invitations.e2e.test.ts creates its links through the admin's page instead.
 */
async function invitationLinkFor(baseUrl: string, email: string, role: "user" | "admin"): Promise<string | null> {
  const db = new pg.Client({ connectionString: inject("stack").databaseUrl });
  await db.connect();
  try {
    // Each file's users stand for different people, who would sign up from different
    // addresses; here they all come from 127.0.0.1, and sign-up allows 10 a minute per address
    // (lib/auth.ts). The address's sign-up count starts over for each of them.
    await db.query(`delete from rate_limit where key like '%/sign-up/email'`);
    const { rows } = await db.query<{ id: string; team: string }>(`select id, current_team_id as team from "user" where role = 'admin' order by created_at limit 1`);
    if (!rows[0]) return null;
    const token = INVITATION_PREFIX + crypto.randomBytes(32).toString("base64url");
    // Into the first team (the first admin's): "admin" as a team admin, else a member.
    await db.query(
      `insert into invitation (id, token_hash, email, team_id, team_role, created_by, expires_at) values ($1, $2, $3, $4, $5, $6, now() + interval '1 hour')`,
      [crypto.randomUUID(), invitationTokenHash(token), email.toLowerCase(), rows[0].team, role === "admin" ? "admin" : "member", rows[0].id],
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
  await page.click('button[type="submit"]');
  await page.waitForURL(`${baseUrl}/`);
  // An invitation makes a team member, never an instance admin: an admin is made one by the
  // stack's first admin, as the users page does (the session reads the role on each request).
  if (role === "admin") {
    await makeInstanceAdmin(email);
    // The page was drawn for a member (no Admin in the nav): draw it again as the admin.
    await page.reload();
  }
}

async function makeInstanceAdmin(email: string): Promise<void> {
  const db = new pg.Client({ connectionString: inject("stack").databaseUrl });
  await db.connect();
  try {
    await db.query(`update "user" set role = 'admin' where email = $1`, [email.toLowerCase()]);
  } finally {
    await db.end();
  }
}

/**
 * Moves an account into a team of its own (as its owner, or a member), out of every other (what an instance
 * admin's Teams page and the other teams' admins would do): for tests of what another team sees.
 * Returns the new team's id.
 */
export async function ownTeamFor(email: string, name: string, role: "owner" | "member" = "owner"): Promise<string> {
  const db = new pg.Client({ connectionString: inject("stack").databaseUrl });
  await db.connect();
  try {
    const teamId = crypto.randomUUID();
    const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${teamId.slice(0, 6)}`;
    const { rows } = await db.query<{ id: string }>(`select id from "user" where email = $1`, [email.toLowerCase()]);
    await db.query(`insert into team (id, name, slug) values ($1, $2, $3)`, [teamId, name, slug]);
    await db.query(`delete from team_member where user_id = $1`, [rows[0]!.id]);
    await db.query(`insert into team_member (team_id, user_id, role) values ($1, $2, $3)`, [teamId, rows[0]!.id, role]);
    await db.query(`update "user" set current_team_id = $1 where id = $2`, [teamId, rows[0]!.id]);
    return teamId;
  } finally {
    await db.end();
  }
}
