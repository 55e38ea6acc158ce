import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createRun } from "@/app/api/runs/route";
import { appendEvent } from "@/lib/eventLog";
import type { EventBodyInput } from "@/lib/events";
import { projectEvent } from "@/lib/projection";
import { reviewedChecks, runChecksOf } from "@/lib/services/runChecks";
import { call, getApp, registerRepo, signUp, type Session } from "../support/web";

/**
 * Repository hooks' results as the projection records them (`run_check`, its only writer), on
 * PGlite and PostgreSQL: a check's row from its start and its end in either order (recorders
 * may interleave), re-projection changes nothing, and the review's checks are the latest post
 * checks of the reviewed commit only.
 */
describe("run_check projection", () => {
  let owner: Session;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-repo-"));
  const head = "a".repeat(40);
  const older = "b".repeat(40);

  beforeAll(async () => {
    owner = await signUp(`checks-${crypto.randomUUID()}@example.com`);
    expect((await registerRepo(owner, { name: "checks", url: repoDir })).status).toBe(201);
  });
  afterAll(() => fs.rmSync(repoDir, { recursive: true, force: true }));

  async function newRun(): Promise<string> {
    const res = await call(createRun, "/api/runs", { as: owner, body: { repo: "checks", command: "make" } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }
  const started = (checkId: string, phase: "pre" | "post" | "error", name: string, headSha?: string): EventBodyInput => ({
    type: "check.started",
    checkId,
    phase,
    name,
    command: `run ${name}`,
    source: "admin",
    timeoutSec: 60,
    headSha,
  });
  const finished = (checkId: string, phase: "pre" | "post" | "error", name: string, ok: boolean, headSha?: string): EventBodyInput => ({
    type: "check.finished",
    checkId,
    phase,
    name,
    ok,
    exitCode: ok ? 0 : 1,
    timedOut: false,
    durationMs: 1234,
    output: ok ? "all good\n" : "1 test failed\n",
    truncated: false,
    headSha,
  });
  /** Appends all first, then projects in the given order of the appended entries. */
  async function record(runId: string, bodies: EventBodyInput[], order?: number[]) {
    const app = await getApp();
    const stored = [];
    for (const body of bodies) stored.push(await appendEvent(app.eventLog, runId, body));
    for (const i of order ?? stored.map((_, i) => i)) await projectEvent(app.db, stored[i]!.id, stored[i]!.event);
    return stored;
  }

  it("records a check from its start and its result, in the order checks ran", async () => {
    const runId = await newRun();
    const { db } = await getApp();
    await record(runId, [started("c1", "pre", "lint")]);
    expect(await runChecksOf(db, runId)).toMatchObject([{ checkId: "c1", phase: "pre", status: "running", command: "run lint", exitCode: null, finishedAt: null }]);

    await record(runId, [finished("c1", "pre", "lint", true), started("c2", "post", "test", head), finished("c2", "post", "test", false, head)]);
    const checks = await runChecksOf(db, runId);
    expect(checks.map((c) => [c.checkId, c.status, c.exitCode])).toEqual([
      ["c1", "passed", 0],
      ["c2", "failed", 1],
    ]);
    expect(checks[1]).toMatchObject({ name: "test", command: "run test", headSha: head, durationMs: 1234, output: "1 test failed\n" });
    expect(checks[1]!.finishedAt).not.toBeNull();
  });

  it("keeps both halves when the end is projected before the start, and once when projected twice", async () => {
    const runId = await newRun();
    const { db } = await getApp();
    const stored = await record(runId, [started("c1", "post", "test", head), finished("c1", "post", "test", false, head)], [1, 0]);
    // Re-delivered entries: recorded already, nothing changes.
    const app = await getApp();
    for (const s of stored) expect(await projectEvent(app.db, s.id, s.event)).toBe(false);
    const checks = await runChecksOf(db, runId);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ status: "failed", exitCode: 1, command: "run test", source: "admin", headSha: head, output: "1 test failed\n" });
  });

  it("takes for the review the latest post checks of the reviewed commit only", async () => {
    const runId = await newRun();
    const { db } = await getApp();
    await record(runId, [
      started("p1", "pre", "lint"),
      finished("p1", "pre", "lint", false),
      // An earlier round's checks, on an earlier commit.
      started("o1", "post", "test", older),
      finished("o1", "post", "test", false, older),
      // This commit's: "test" ran twice (a re-delivered job), the second passed.
      started("h1", "post", "test", head),
      finished("h1", "post", "test", false, head),
      started("h2", "post", "test", head),
      finished("h2", "post", "test", true, head),
      started("h3", "post", "lint", head),
      finished("h3", "post", "lint", false, head),
    ]);
    const reviewed = reviewedChecks(await runChecksOf(db, runId), head);
    expect(reviewed.map((c) => [c.checkId, c.status])).toEqual([
      ["h2", "passed"],
      ["h3", "failed"],
    ]);
    expect(reviewedChecks(await runChecksOf(db, runId), null)).toEqual([]);
  });
});
