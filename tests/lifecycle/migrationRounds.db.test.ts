import { afterAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "@/lib/db/client";
import { migrationsBefore, openMigrationTarget } from "../support/migrationTarget";

/**
 * Migration 0012 on runs recorded before rounds were kept, on PGlite and PostgreSQL: the
 * latest start becomes the current round's start, the first recorded run.started the run's
 * start, each "request changes" decision one more round, and a run at work again no longer
 * carries the earlier round's end.
 */
describe("migration 0012: a run's rounds", () => {
  const target = openMigrationTarget();
  afterAll(() => target.close());

  it("backfills the rounds and clears the stale end of a run at work again", async () => {
    await target.migrate(migrationsBefore("0012_run_rounds"));
    const t = (minutes: number) => `timestamptz '2026-11-01T10:00:00Z' + interval '${minutes} minutes'`;
    const cols = "id, user_id, repository_id, title, prompt, executor, approval_mode, max_turns, timeout_sec, priority, base_branch, branch, status, started_at, finished_at";
    await target.exec(`
      insert into "user" (id, name, email) values ('u1', 'Ann', 'ann@example.com');
      insert into repository (id, name, url) values ('r1', 'demo', '/tmp/demo');
      insert into run (${cols}) values
        ('again', 'u1', 'r1', 't', 'p', 'agent', 'risky', 5, 60, 'normal', 'main', 'agentdesk/a', 'running', ${t(20)}, ${t(10)}),
        ('once', 'u1', 'r1', 't', 'p', 'agent', 'risky', 5, 60, 'normal', 'main', 'agentdesk/b', 'completed', ${t(0)}, ${t(5)}),
        ('never', 'u1', 'r1', 't', 'p', 'agent', 'risky', 5, 60, 'normal', 'main', 'agentdesk/c', 'cancelled', null, ${t(1)});
      insert into run_event (run_id, stream_ms, stream_seq, seq, type, at, data) values
        ('again', 1, 0, 1, 'run.started', ${t(0)}, '{"attempt":1,"worker":"w","resumed":false}'),
        ('again', 2, 0, 2, 'run.awaiting_review', ${t(10)}, '{"branch":"agentdesk/a","headSha":"${"a".repeat(40)}"}'),
        ('again', 3, 0, 3, 'run.started', ${t(20)}, '{"attempt":2,"worker":"w","resumed":false}'),
        ('once', 4, 0, 1, 'run.started', ${t(0)}, '{"attempt":1,"worker":"w","resumed":false}');
      insert into review_decision (id, run_id, number, by_email, action, feedback, head_sha) values
        ('d1', 'again', 1, 'ann@example.com', 'request_changes', 'more', '${"a".repeat(40)}');
    `);

    await target.migrate(migrationsFolder());
    const rows = await target.exec(
      `select id, round, earlier_rounds_ms::int as earlier,
              started_at = ${t(0)} as first_start, round_started_at = ${t(20)} as round_start_again,
              round_started_at = started_at as one_round, round_started_at is null as no_round,
              finished_at is null as open, finished_at = ${t(5)} as ended_then
       from run order by id`,
    );
    expect(rows).toEqual([
      expect.objectContaining({ id: "again", round: 2, earlier: 0, first_start: true, round_start_again: true, open: true }),
      expect.objectContaining({ id: "never", round: 1, no_round: true, open: false }),
      expect.objectContaining({ id: "once", round: 1, first_start: true, one_round: true, ended_then: true }),
    ]);
  });
});
