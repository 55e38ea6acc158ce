import crypto from "node:crypto";
import type pg from "pg";
import { inject } from "vitest";

/**
 * Registers a repository straight in the database, for a test whose user is not an admin (so
 * cannot use the repositories page): in the team that user works in, as the API would put it.
 */
export async function insertRepository(db: pg.Client, repo: { name: string; url: string; userEmail: string }): Promise<void> {
  const { rows } = await db.query<{ team: string | null }>(`select current_team_id as team from "user" where email = $1`, [repo.userEmail.toLowerCase()]);
  if (!rows[0]?.team) throw new Error(`no user ${repo.userEmail} with a team to register ${repo.name} in`);
  await insertInTeam(db, rows[0].team, repo);
}

/**
 * Registers a repository in the stack's first team: the team of its first admin, which every
 * user signUpInBrowser makes joins. For files that put their repository in place before
 * anyone signs up. When no one has signed up yet (a file run on its own, without
 * run.e2e.test.ts before it), the stack's first account is made here, through the sign-up API.
 */
export async function insertStackRepository(db: pg.Client, repo: { name: string; url: string }): Promise<void> {
  await insertInTeam(db, await stackTeamId(db), repo);
}

async function stackTeamId(db: pg.Client): Promise<string> {
  const first = async () =>
    (await db.query<{ team: string | null }>(`select current_team_id as team from "user" where role = 'admin' order by created_at limit 1`)).rows[0]?.team ?? null;
  const team = await first();
  if (team) return team;
  const { url } = inject("stack");
  const res = await fetch(`${url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ name: "Stack admin", email: `stack-admin-${crypto.randomBytes(3).toString("hex")}@example.com`, password: "correct horse battery" }),
  });
  if (!res.ok) throw new Error(`the stack's first sign-up failed: ${res.status} ${await res.text()}`);
  const made = await first();
  if (!made) throw new Error("the stack's first account has no team");
  return made;
}

async function insertInTeam(db: pg.Client, teamId: string, repo: { name: string; url: string }): Promise<void> {
  await db.query("insert into repository (id, team_id, name, url, default_branch) values ($1, $2, $3, $4, 'main')", [crypto.randomUUID(), teamId, repo.name, repo.url]);
}
