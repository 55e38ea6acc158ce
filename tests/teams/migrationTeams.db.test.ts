import { afterAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "@/lib/db/client";
import { migrationsBefore, openMigrationTarget } from "../support/migrationTarget";

/**
 * Migration 0015 on an install from before teams, on PGlite and PostgreSQL: one "Default team"
 * holds everything (every account, repository, run, schedule, token and unused invitation),
 * the instance admin owns it, everyone else is a member working in it, tokens keep every power
 * (scope admin), and an invitation's old role becomes its team role.
 */
describe("migration 0015: everything joins the first team", () => {
  const target = openMigrationTarget();
  afterAll(() => target.close());

  it("creates the default team and moves every account and object into it", async () => {
    await target.migrate(migrationsBefore("0015_teams"));
    await target.exec(`
      insert into "user" (id, name, email, role, created_at) values
        ('admin1', 'Ada', 'ada@example.com', 'admin', timestamptz '2026-01-01T00:00:00Z'),
        ('user1', 'Bob', 'bob@example.com', 'user', timestamptz '2026-01-02T00:00:00Z');
      insert into repository (id, name, url) values ('r1', 'demo', '/tmp/demo'), ('r2', 'gone', '/tmp/gone');
      update repository set deleted_at = now() where id = 'r2';
      insert into run (id, user_id, repository_id, title, prompt, executor, approval_mode, max_turns, timeout_sec, priority, base_branch, branch, status) values
        ('run1', 'user1', 'r1', 't', 'p', 'cli', 'auto', 1, 60, 'normal', 'main', 'agentdesk/a', 'completed'),
        ('run2', 'admin1', 'r2', 't', 'p', 'cli', 'auto', 1, 60, 'normal', 'main', 'agentdesk/b', 'completed');
      insert into schedule (id, user_id, repository_id, name, cron, template) values ('s1', 'user1', 'r1', 'nightly', '0 3 * * *', '{}');
      insert into api_token (id, user_id, name, token_hash, prefix) values ('t1', 'user1', 'ci', 'hash1', 'adk_xx');
      insert into invitation (id, token_hash, role, expires_at, used_at) values
        ('first-account', 'first-account', 'admin', now(), now()),
        ('i-admin', 'h-admin', 'admin', now() + interval '1 day', null),
        ('i-user', 'h-user', 'user', now() + interval '1 day', null);
    `);

    await target.migrate(migrationsFolder());
    const [team] = await target.exec(`select id, name, slug from team`);
    expect(team).toMatchObject({ name: "Default team", slug: "default" });
    const teamId = team!.id;

    expect(await target.exec(`select user_id, team_id, role from team_member order by user_id`)).toEqual([
      { user_id: "admin1", team_id: teamId, role: "owner" },
      { user_id: "user1", team_id: teamId, role: "member" },
    ]);
    expect(await target.exec(`select id, current_team_id, role from "user" order by id`)).toEqual([
      { id: "admin1", current_team_id: teamId, role: "admin" },
      { id: "user1", current_team_id: teamId, role: "user" },
    ]);
    for (const table of ["repository", "run", "schedule", "api_token"]) {
      expect(await target.exec(`select distinct team_id from ${table}`), table).toEqual([{ team_id: teamId }]);
    }
    expect(await target.exec(`select scope from api_token`)).toEqual([{ scope: "admin" }]);
    expect(await target.exec(`select id, team_id, team_role from invitation order by id`)).toEqual([
      { id: "first-account", team_id: null, team_role: "member" },
      { id: "i-admin", team_id: teamId, team_role: "admin" },
      { id: "i-user", team_id: teamId, team_role: "member" },
    ]);
    // The team's columns are required from now on, and a repository name is unique per team.
    await expect(target.exec(`insert into repository (id, name, url) values ('r3', 'x', '/tmp/x')`)).rejects.toThrow(/team_id/);
    await target.exec(`insert into team (id, name, slug) values ('t2', 'Other', 'other')`);
    await target.exec(`insert into repository (id, team_id, name, url) values ('r4', 't2', 'demo', '/tmp/demo')`);
    await expect(target.exec(`insert into repository (id, team_id, name, url) values ('r5', 't2', 'demo', '/tmp/demo')`)).rejects.toThrow(
      /repository_team_live_name_idx|duplicate/,
    );
  });

  // This file's PostgreSQL database is the one the test above migrated: PGlite only.
  it.skipIf(process.env.TEST_DB === "postgres")("on a new install makes the first team too, empty, for the first account to own", async () => {
    const fresh = openMigrationTarget();
    try {
      await fresh.migrate(migrationsFolder());
      expect(await fresh.exec(`select name, slug from team`)).toEqual([{ name: "Default team", slug: "default" }]);
      expect(await fresh.exec(`select count(*)::int as n from team_member`)).toEqual([{ n: 0 }]);
    } finally {
      await fresh.close();
    }
  });
});
