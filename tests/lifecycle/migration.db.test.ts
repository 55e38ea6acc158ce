import { afterAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "@/lib/db/client";
import { migrationsBefore, openMigrationTarget } from "../support/migrationTarget";

/**
 * Migration 0008 on a database that has history: every request the runs' events recorded and
 * every answer audited in `input_decision` becomes an `input_request` record (answered, timed
 * out, still pending, or cancelled with its run), then `input_decision` goes. On PGlite and on
 * this file's own PostgreSQL database.
 */
describe("migration 0008: input requests as one record", () => {
  const target = openMigrationTarget();
  afterAll(() => target.close());

  it("moves the recorded requests and the audited answers into input_request", async () => {
    await target.migrate(migrationsBefore("0008_input_requests"));
    const t = "timestamptz '2026-11-01T10:00:00Z'";
    await target.exec(`
      insert into "user" (id, name, email) values ('u1', 'Ann', 'ann@example.com');
      insert into repository (id, name, url) values ('r1', 'demo', '/tmp/demo');
      insert into run (id, user_id, repository_id, title, prompt, executor, approval_mode, max_turns, timeout_sec, input_timeout_sec, priority, base_branch, branch, status)
      values
        ('run-live', 'u1', 'r1', 't', 'p', 'agent', 'risky', 5, 60, 600, 'normal', 'main', 'agentdesk/a', 'waiting_input'),
        ('run-done', 'u1', 'r1', 't', 'p', 'agent', 'risky', 5, 60, 600, 'normal', 'main', 'agentdesk/b', 'failed');
      insert into run_event (run_id, stream_ms, stream_seq, seq, type, at, data) values
        ('run-live', 1, 0, 1, 'input.requested', ${t}, '{"requestId":"answered","kind":"approval","tool":"shell","input":{"command":"rm x"},"reasons":["deletes files"]}'),
        ('run-live', 2, 0, 2, 'input.resolved', ${t} + interval '1 minute', '{"requestId":"answered","decision":"approve","by":"ann@example.com"}'),
        ('run-live', 3, 0, 3, 'input.requested', ${t}, '{"requestId":"timed","kind":"question","question":"Port?"}'),
        ('run-live', 4, 0, 4, 'input.resolved', ${t} + interval '10 minutes', '{"requestId":"timed","decision":"deny","by":"timeout"}'),
        ('run-live', 5, 0, 5, 'input.requested', ${t}, '{"requestId":"open","kind":"approval","tool":"shell"}'),
        ('run-done', 6, 0, 1, 'input.requested', ${t}, '{"requestId":"orphan","kind":"approval"}');
      insert into input_decision (id, run_id, request_id, kind, user_id, by_email, decision, note, edited_input, remember, created_at)
      values ('d1', 'run-live', 'answered', 'approval', 'u1', 'ann@example.com', 'approve', 'careful', '{"command":"rm y"}', true, ${t} + interval '1 minute');
    `);

    await target.migrate(migrationsFolder());
    const rows = await target.exec(
      `select request_id, run_id, kind, status, tool, question, reasons, decision, note, edited_input, remember, by_user_id, by_email,
              requested_at = ${t} as asked_then, deadline = ${t} + interval '600 seconds' as deadline_ok, resolved_at is not null as resolved
       from input_request order by request_id`,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        request_id: "answered",
        status: "answered",
        kind: "approval",
        tool: "shell",
        reasons: ["deletes files"],
        decision: "approve",
        note: "careful",
        edited_input: { command: "rm y" },
        remember: true,
        by_user_id: "u1",
        by_email: "ann@example.com",
        asked_then: true,
        deadline_ok: true,
        resolved: true,
      }),
      expect.objectContaining({ request_id: "open", status: "pending", resolved: false, decision: null }),
      expect.objectContaining({ request_id: "orphan", run_id: "run-done", status: "cancelled", resolved: true }),
      expect.objectContaining({ request_id: "timed", kind: "question", question: "Port?", status: "timed_out", decision: "deny", by_email: null }),
    ]);
    const tables = await target.exec(`select count(*)::int as n from information_schema.tables where table_name = 'input_decision'`);
    expect(tables).toEqual([{ n: 0 }]);
  });
});
