import crypto from "node:crypto";
import type pg from "pg";

/**
 * Registers a repository straight in the database, for a test whose user is not an admin (so
 * cannot use the repositories page): in the team that user works in, as the API would put it.
 */
export async function insertRepository(db: pg.Client, repo: { name: string; url: string; userEmail: string }): Promise<void> {
  const { rows } = await db.query<{ team: string | null }>(`select current_team_id as team from "user" where email = $1`, [repo.userEmail.toLowerCase()]);
  if (!rows[0]?.team) throw new Error(`no user ${repo.userEmail} with a team to register ${repo.name} in`);
  await db.query("insert into repository (id, team_id, name, url, default_branch) values ($1, $2, $3, $4, 'main')", [crypto.randomUUID(), rows[0].team, repo.name, repo.url]);
}
