import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as listRepos } from "@/app/api/repos/route";
import { POST as cancelRun } from "@/app/api/runs/[id]/cancel/route";
import { GET as runDiff } from "@/app/api/runs/[id]/diff/route";
import { GET as runEvents } from "@/app/api/runs/[id]/events/route";
import { GET as getRun } from "@/app/api/runs/[id]/route";
import { GET as listRuns, POST as createRun } from "@/app/api/runs/route";
import { run } from "@/lib/db/schema";
import { readRunEvents } from "@/lib/eventLog";
import { startRecorder } from "@/lib/recorder";
import { advertiseWorker, withdrawWorker } from "@/lib/workerDirectory";
import { call, createTokenFor, getApp, otherTeam, registerRepo, signUp, type Session } from "../support/web";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };

async function errorOf(res: Response): Promise<ErrorBody["error"]> {
  return ((await res.json()) as ErrorBody).error;
}

describe("repositories and runs API", () => {
  let admin: Session;
  let alice: Session;
  let bob: Session;
  let aliceToken: string;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-repo-"));

  beforeAll(async () => {
    admin = await signUp("admin@example.com");
    alice = await signUp("alice@example.com");
    // Bob works in another team, which has a repository of the same name.
    bob = (await otherTeam()).owner;
    aliceToken = await createTokenFor(alice);
    const res = await registerRepo(admin, { name: "demo", url: repoDir, defaultBranch: "main" });
    expect(res.status).toBe(201);
    expect((await registerRepo(bob, { name: "demo", url: repoDir, defaultBranch: "main" })).status).toBe(201);
  });

  describe("POST /api/repos", () => {
    it("is for admins only", async () => {
      const res = await registerRepo(alice, { name: "mine", url: repoDir });
      expect(res.status).toBe(403);
    });

    it.each([
      [{ url: repoDir }, "name"],
      [{ name: "has space", url: repoDir }, "name"],
      [{ name: "x1" }, "url"],
      [{ name: "x2", url: repoDir, credentialEnv: "not-an-env-name" }, "credentialEnv"],
      [{ name: "x3", url: repoDir, defaultBranch: "bad..branch" }, "defaultBranch"],
      [{ name: "x4", url: "https://user:secret@github.com/o/r.git" }, "url"],
      [{ name: "x5", url: "ftp://example.com/repo" }, "url"],
      [{ name: "x6", url: "/definitely/not/here" }, "url"],
    ])("names the field at fault for %j", async (body, field) => {
      const res = await registerRepo(admin, body);
      expect([400, 422]).toContain(res.status);
      const error = await errorOf(res);
      expect(error.issues?.map((i) => i.path)).toContain(field);
    });

    it("refuses a duplicate name with 409 and never echoes credentials", async () => {
      const res = await registerRepo(admin, { name: "demo", url: repoDir });
      expect(res.status).toBe(409);
      const withCred = await registerRepo(admin, { name: "gh", url: "https://github.com/acme/app.git", credentialEnv: "GITHUB_TOKEN" });
      expect(withCred.status).toBe(201);
      const listed = (await (await call(listRepos, "/api/repos", { as: alice })).json()) as { repos: { name: string; credentialEnv: string | null }[] };
      expect(listed.repos.find((r) => r.name === "gh")?.credentialEnv).toBe("GITHUB_TOKEN");
    });

    it("answers 400 for a body that is not JSON", async () => {
      const { POST } = await import("@/app/api/repos/route");
      const res = await call(POST, "/api/repos", { as: admin, rawBody: "{not json", headers: { "content-type": "application/json" } });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).message).toMatch(/not valid JSON/);
    });
  });

  describe("POST /api/runs", () => {
    it("creates a queued run, records run.queued and enqueues a job whose id is the run id", async () => {
      const res = await call(createRun, "/api/runs", {
        as: aliceToken,
        body: { repo: "demo", command: "echo hi > hi.txt", priority: "high", timeoutSec: 60 },
      });
      expect(res.status).toBe(201);
      const created = (await res.json()) as { id: string; status: string; branch: string; executor: string; baseBranch: string };
      expect(created).toMatchObject({ status: "queued", executor: "cli", baseBranch: "main" });
      expect(created.branch).toMatch(/^agentdesk\/echo-hi-hi-txt-[0-9a-f]{8}$/);

      const app = await getApp();
      const job = await app.queue.getJob(created.id);
      expect(job?.data).toMatchObject({ kind: "run", runId: created.id, command: "echo hi > hi.txt", branch: created.branch, timeoutSec: 60 });
      expect(job?.data).not.toHaveProperty("credential");
      expect(job?.opts.priority).toBe(1);
      const events = await readRunEvents(app.eventLog, created.id, "0");
      expect(events.map((e) => e.event.type)).toEqual(["run.queued"]);
    });

    it.each([
      [{}, "repo"],
      [{ repo: "demo" }, "prompt"],
      [{ repo: "demo", executor: "cli", prompt: "only a prompt" }, "command"],
      [{ repo: "demo", command: "true", executor: "nope" }, "executor"],
      [{ repo: "demo", command: "true", approvalMode: "sometimes" }, "approvalMode"],
      [{ repo: "demo", command: "true", timeoutSec: 1 }, "timeoutSec"],
      [{ repo: "demo", command: "true", timeoutSec: "soon" }, "timeoutSec"],
      [{ repo: "demo", command: "true", maxTurns: 0 }, "maxTurns"],
      [{ repo: "demo", command: "true", priority: "urgent" }, "priority"],
      [{ repo: "demo", command: "true", baseBranch: "-rf" }, "baseBranch"],
      [{ repo: "demo", command: "true", timeoutSec: 10_000_000 }, "timeoutSec"],
    ])("answers 400 naming the field for %j", async (body, field) => {
      const res = await call(createRun, "/api/runs", { as: alice, body });
      expect(res.status).toBe(400);
      const error = await errorOf(res);
      expect(error.code).toBe("invalid_request");
      expect(error.issues?.map((i) => i.path)).toContain(field);
    });

    it("answers 422 for an unknown repository", async () => {
      const unknownRepo = await call(createRun, "/api/runs", { as: alice, body: { repo: "nope", command: "true" } });
      expect(unknownRepo.status).toBe(422);
      expect((await errorOf(unknownRepo)).issues?.[0]?.path).toBe("repo");
    });

    it("offers the agent only when a live job process advertises it, with that process's reason otherwise", async () => {
      const app = await getApp();
      const ns = app.config.redisPrefix;
      const agentRun = () => call(createRun, "/api/runs", { as: alice, body: { repo: "demo", prompt: "fix the bug" } });
      const advert = (agent: { available: boolean; reason?: string }) =>
        advertiseWorker(app.redis, ns, {
          name: "test-worker",
          startedAt: new Date().toISOString(),
          concurrency: 1,
          activeRuns: 0,
          sandbox: "on",
          executors: [{ name: "cli", available: true }, { name: "agent", ...agent }],
        });

      const none = await agentRun();
      expect(none.status).toBe(422);
      expect((await errorOf(none)).message).toMatch(/no job process is running/);

      await advert({ available: false, reason: "ANTHROPIC_API_KEY is not set on the job process" });
      const noKey = await agentRun();
      expect(noKey.status).toBe(422);
      const error = await errorOf(noKey);
      expect(error.issues?.[0]?.path).toBe("executor");
      expect(error.message).toMatch(/ANTHROPIC_API_KEY is not set on the job process/);

      await advert({ available: true });
      const ok = await agentRun();
      expect(ok.status).toBe(201);
      expect((await ok.json()) as { executor: string }).toMatchObject({ executor: "agent" });
      await withdrawWorker(app.redis, ns, "test-worker");
    });
  });

  describe("reading runs", () => {
    it("lists own runs newest first with a cursor and a status filter", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await call(createRun, "/api/runs", { as: bob, body: { repo: "demo", command: `echo ${i}` } });
        ids.push(((await res.json()) as { id: string }).id);
      }
      const first = (await (await call(listRuns, "/api/runs?limit=2", { as: bob })).json()) as { runs: { id: string; userId: string }[]; nextCursor: string };
      expect(first.runs.map((r) => r.id)).toEqual([ids[2], ids[1]]);
      const second = (await (await call(listRuns, `/api/runs?limit=2&cursor=${first.nextCursor}`, { as: bob })).json()) as { runs: { id: string }[]; nextCursor: string | null };
      expect(second.runs.map((r) => r.id)).toEqual([ids[0]]);
      expect(second.nextCursor).toBeNull();

      // Another team's runs are in nobody else's list, an instance admin's included.
      for (const other of [alice, admin]) {
        const theirs = (await (await call(listRuns, "/api/runs?limit=200", { as: other })).json()) as { runs: { id: string; userId: string }[] };
        expect(theirs.runs.filter((r) => ids.includes(r.id) || r.userId === bob.userId)).toEqual([]);
      }

      const none = (await (await call(listRuns, "/api/runs?status=pushed", { as: bob })).json()) as { runs: unknown[] };
      expect(none.runs).toEqual([]);
    });

    it.each([
      ["?status=sleeping", "status"],
      ["?limit=0", "limit"],
      ["?limit=many", "limit"],
      ["?cursor=not-a-cursor", "cursor"],
    ])("answers 400 naming the query parameter for %s", async (query, field) => {
      const res = await call(listRuns, `/api/runs${query}`, { as: alice });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).issues?.map((i) => i.path)).toContain(field);
    });

    it("answers 404 to another team on every run endpoint, and to anyone for an unknown id", async () => {
      const res = await call(createRun, "/api/runs", { as: alice, body: { repo: "demo", command: "true" } });
      const { id } = (await res.json()) as { id: string };
      const opts = { as: bob, params: { id } };
      const attempts = [
        await call(getRun, `/api/runs/${id}`, opts),
        await call(runEvents, `/api/runs/${id}/events`, opts),
        await call(runDiff, `/api/runs/${id}/diff`, opts),
        await call(cancelRun, `/api/runs/${id}/cancel`, { ...opts, method: "POST" }),
      ];
      for (const attempt of attempts) {
        expect(attempt.status).toBe(404);
        expect((await errorOf(attempt)).code).toBe("not_found");
      }
      for (const bogus of [crypto.randomUUID(), "not-a-uuid"]) {
        expect((await call(getRun, `/api/runs/${bogus}`, { as: alice, params: { id: bogus } })).status).toBe(404);
      }
      // The owner and the rest of the team (here its owner, the instance admin) can read it.
      expect((await call(getRun, `/api/runs/${id}`, { as: alice, params: { id } })).status).toBe(200);
      expect((await call(getRun, `/api/runs/${id}`, { as: admin, params: { id } })).status).toBe(200);
    });

    it("answers 409 for the diff of a run that has none yet, and 400 for a malformed Last-Event-ID", async () => {
      const res = await call(createRun, "/api/runs", { as: alice, body: { repo: "demo", command: "true" } });
      const { id } = (await res.json()) as { id: string };
      const diff = await call(runDiff, `/api/runs/${id}/diff`, { as: alice, params: { id } });
      expect(diff.status).toBe(409);
      expect((await errorOf(diff)).message).toMatch(/no diff yet/);
      const events = await call(runEvents, `/api/runs/${id}/events`, { as: alice, params: { id }, headers: { "last-event-id": "yesterday" } });
      expect(events.status).toBe(400);
      expect((await errorOf(events)).issues?.[0]?.path).toBe("after");
    });
  });

  describe("POST /api/runs/:id/cancel", () => {
    it("takes a queued run off the queue, records run.cancelled, and refuses a second cancel", async () => {
      const app = await getApp();
      const recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100 });
      try {
        const res = await call(createRun, "/api/runs", { as: alice, body: { repo: "demo", command: "sleep 100" } });
        const { id } = (await res.json()) as { id: string };
        const cancelled = await call(cancelRun, `/api/runs/${id}/cancel`, { as: alice, method: "POST", params: { id } });
        expect(cancelled.status).toBe(200);
        expect(await app.queue.getJob(id)).toBeUndefined();
        const events = await readRunEvents(app.eventLog, id, "0");
        expect(events.map((e) => e.event.type)).toEqual(["run.queued", "run.cancelled"]);
        expect(events[1]!.event).toMatchObject({ by: "alice@example.com" });

        await recorder.settle();
        const [row] = await app.db.select().from(run).where(eq(run.id, id));
        expect(row).toMatchObject({ status: "cancelled" });
        expect(row!.finishedAt).toBeInstanceOf(Date);
        expect(row!.cancelRequestedAt).toBeInstanceOf(Date);

        const again = await call(cancelRun, `/api/runs/${id}/cancel`, { as: alice, method: "POST", params: { id } });
        expect(again.status).toBe(409);
      } finally {
        await recorder.stop();
      }
    });
  });
});
