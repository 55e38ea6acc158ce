import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUT as putEnvironment } from "@/app/api/repos/[name]/environment/route";
import { GET as getReviewRoute, POST as reviewRoute } from "@/app/api/runs/[id]/review/route";
import { POST as createRun } from "@/app/api/runs/route";
import { auditEvent } from "@/lib/db/schema";
import { appendEvent } from "@/lib/eventLog";
import type { EventBodyInput } from "@/lib/events";
import { projectEvent } from "@/lib/projection";
import { call, getApp, registerRepo, signUp, type Session } from "../support/web";

/**
 * Repository hooks on the web side, on PGlite and PostgreSQL: an admin sets them with the
 * environment (variables refused like the setup's), the review shows the post-run checks of
 * the commit under review, and a push over a failed one needs `acknowledgeFailedChecks`
 * (409 `failed_checks` otherwise), which the audit records.
 */
describe("repository hooks: settings and review", () => {
  let admin: Session;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-repo-"));
  const head = "d".repeat(40);

  beforeAll(async () => {
    admin = await signUp(`hooks-admin-${crypto.randomUUID()}@example.com`);
    expect((await registerRepo(admin, { name: "hooks", url: repoDir })).status).toBe(201);
  });
  afterAll(() => fs.rmSync(repoDir, { recursive: true, force: true }));

  const put = (body: unknown) => call(putEnvironment, "/api/repos/hooks/environment", { as: admin, method: "PUT", body, params: { name: "hooks" } });

  it("takes checks with the environment, and refuses AgentDesk's secrets as their variables, naming the field", async () => {
    const ok = await put({
      checks: { pre: [{ name: "lint", command: "npm run lint\r\n" }], post: [{ name: "tests", command: "npm test", timeoutSec: 300 }] },
      checkEnvNames: "NPM_TOKEN",
      checkHosts: ["registry.npmjs.org"],
    });
    expect(ok.status).toBe(200);
    const saved = (await ok.json()) as { environment: { checks: unknown; checkEnvNames: string[]; checkHosts: string[] } };
    expect(saved.environment.checks).toEqual({
      pre: [{ name: "lint", command: "npm run lint\n", timeoutSec: 600 }],
      post: [{ name: "tests", command: "npm test", timeoutSec: 300 }],
      onError: [],
    });
    expect(saved.environment.checkEnvNames).toEqual(["NPM_TOKEN"]);

    for (const [body, field] of [
      [{ checkEnvNames: ["ANTHROPIC_API_KEY"] }, "checkEnvNames.0"],
      [{ checks: { post: [{ name: "tests", command: "  " }] } }, "checks.post.0.command"],
      [{ checks: { post: [{ name: "tests", command: "a" }, { name: "tests", command: "b" }] } }, "checks.post.1.name"],
      [{ checks: { post: [{ name: "tests", command: "a", timeoutSec: 0 }] } }, "checks.post.0.timeoutSec"],
      [{ checks: { later: [] } }, "checks"],
    ] as const) {
      const res = await put(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const { error } = (await res.json()) as { error: { issues: { path: string }[] } };
      expect(error.issues.map((i) => i.path)).toContain(field);
    }
  });

  async function runAtReview(checks: { name: string; ok: boolean; headSha: string }[]): Promise<string> {
    const res = await call(createRun, "/api/runs", { as: admin, body: { repo: "hooks", command: "make" } });
    expect(res.status).toBe(201);
    const runId = ((await res.json()) as { id: string }).id;
    const app = await getApp();
    const emit = async (body: EventBodyInput) => {
      const stored = await appendEvent(app.eventLog, runId, body);
      await projectEvent(app.db, stored.id, stored.event);
    };
    await emit({ type: "run.started", attempt: 1, worker: "w1", resumed: false });
    for (const [i, c] of checks.entries()) {
      const common = { checkId: `c${i}`, phase: "post" as const, name: c.name, headSha: c.headSha };
      await emit({ type: "check.started", ...common, command: `run ${c.name}`, source: "admin", timeoutSec: 60 });
      await emit({ type: "check.finished", ...common, ok: c.ok, exitCode: c.ok ? 0 : 1, timedOut: false, durationMs: 40, output: c.ok ? "ok\n" : "2 failed\n", truncated: false });
    }
    await emit({ type: "run.awaiting_review", branch: "agentdesk/hooks", headSha: head });
    return runId;
  }
  const review = (runId: string) => call(getReviewRoute, `/api/runs/${runId}/review`, { as: admin, params: { id: runId } });
  const decide = (runId: string, body: unknown) => call(reviewRoute, `/api/runs/${runId}/review`, { as: admin, body, params: { id: runId } });

  it("shows the review's checks and refuses a push over a failed one until it is acknowledged, which is audited", async () => {
    const runId = await runAtReview([
      { name: "tests", ok: false, headSha: head },
      { name: "lint", ok: true, headSha: head },
    ]);
    const info = (await (await review(runId)).json()) as { checks: { name: string; status: string; output: string; durationMs: number }[] };
    expect(info.checks.map((c) => [c.name, c.status])).toEqual([
      ["tests", "failed"],
      ["lint", "passed"],
    ]);
    expect(info.checks[0]).toMatchObject({ output: "2 failed\n", durationMs: 40 });

    const refused = await decide(runId, { action: "push" });
    expect(refused.status).toBe(409);
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("failed_checks");
    expect(error.message).toContain('"tests"');
    expect(error.message).not.toContain('"lint"');

    expect((await decide(runId, { action: "discard", acknowledgeFailedChecks: true })).status).toBe(400);
    const pushed = await decide(runId, { action: "push", acknowledgeFailedChecks: true });
    expect(pushed.status).toBe(201);
    const { db } = await getApp();
    const [audit] = await db.select().from(auditEvent).where(and(eq(auditEvent.subjectId, runId), eq(auditEvent.action, "review.push")));
    expect(audit!.details).toMatchObject({ failedChecks: ["tests"] });
  });

  it("pushes without asking when the reviewed commit's checks passed; an earlier commit's failure does not count", async () => {
    const runId = await runAtReview([
      { name: "tests", ok: false, headSha: "e".repeat(40) },
      { name: "tests", ok: true, headSha: head },
    ]);
    const info = (await (await review(runId)).json()) as { checks: { status: string }[] };
    expect(info.checks.map((c) => c.status)).toEqual(["passed"]);
    expect((await decide(runId, { action: "push" })).status).toBe(201);
  });
});
