import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteRoute } from "@/app/api/admin/workspaces/[worker]/[id]/route";
import { GET as listRoute } from "@/app/api/admin/workspaces/route";
import { runDir } from "@/jobs/git/runRepo";
import { silentLogger } from "@/jobs/logger";
import { startWorkspaceAdmin } from "@/jobs/workspaces/admin";
import { runWorkspaceId, workspaceDeleteRequestsKey, workspaceReportKey } from "@/lib/contracts/workspaces";
import { auditEvent, repository } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { createEventLog } from "@/lib/eventLog";
import { createRedis } from "@/lib/redis";
import { deleteWorkspace, type WorkspacesView } from "@/lib/services/workspaces";
import { eventually } from "../jobs/helpers";
import { insertRunRow } from "../support/runRow";
import { call, createTokenFor, getApp, principalFor, registerRepo, signUp, type Session } from "../support/web";

/**
 * The workspaces admin API against a job process's real workspace admin (jobs/workspaces/admin.ts,
 * running here on its own data folder and the real Redis): the list joins its report with the
 * runs in the database; a delete goes through Redis to that job process, which removes the
 * folder (or refuses a suspended run's), and is audited with the answer. Admins only.
 */
type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
const WORKER = `ws-${crypto.randomBytes(3).toString("hex")}:42`;

describe("workspaces admin (API)", () => {
  let admin: Session;
  let member: Session;
  let memberToken: string;
  let redis: Redis;
  let dataDir: string;
  let runId: string;
  let stop: () => Promise<void>;

  const list = async (as: Session | string = admin) => call(listRoute, "/api/admin/workspaces", { as });
  const remove = (id: string, as: Session | string = admin, worker = WORKER) =>
    call(deleteRoute, `/api/admin/workspaces/${encodeURIComponent(worker)}/${encodeURIComponent(id)}`, { as, method: "DELETE", params: { worker, id } });
  const auditRows = async (id: string) => {
    const { db } = await getApp();
    return db.select().from(auditEvent).where(and(eq(auditEvent.action, "workspace.delete"), eq(auditEvent.subjectId, id)));
  };

  beforeAll(async () => {
    admin = await signUp("ws-admin@example.com");
    member = await signUp("ws-member@example.com");
    memberToken = await createTokenFor(member);
    const repoDir = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-ws-repo-"));
    expect((await registerRepo(admin, { name: "ws-repo", url: repoDir })).status).toBe(201);
    const app = await getApp();
    const [repo] = await app.db.select({ id: repository.id }).from(repository).where(eq(repository.name, "ws-repo"));
    runId = await insertRunRow(admin.userId, repo!.id, "awaiting_review");
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-ws-data-"));
    await fs.mkdir(path.join(runDir(dataDir, runId), "repo.git"), { recursive: true });
    await fs.writeFile(path.join(runDir(dataDir, runId), "repo.git", "HEAD"), "ref: refs/heads/agentdesk/t\n");
    await fs.writeFile(path.join(runDir(dataDir, runId), "repo.git", "pack"), Buffer.alloc(5000));
    redis = createRedis(app.config.redisUrl, "worker");
    ({ stop } = startWorkspaceAdmin({ redis, config: { ...app.config, dataDir }, worker: WORKER, logger: silentLogger, pollMs: 100 }));
  });
  afterAll(async () => {
    await stop?.();
    await redis?.quit();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("is for admins only: a member gets 403 (session or token), a stranger 401, and nothing is deleted", async () => {
    for (const as of [member, memberToken]) {
      expect((await list(as)).status).toBe(403);
      expect((await remove(runWorkspaceId(runId), as)).status).toBe(403);
    }
    expect((await call(listRoute, "/api/admin/workspaces")).status).toBe(401);
    expect(await fs.stat(runDir(dataDir, runId)).then(() => true)).toBe(true);
  });

  it("lists the job process's run workspace with its run's title, status, size and branch", async () => {
    const view = await eventually(async () => {
      const res = await list();
      expect(res.status).toBe(200);
      const body = (await res.json()) as WorkspacesView;
      return body.workers.find((w) => w.worker === WORKER);
    });
    expect(view).toMatchObject({ host: os.hostname(), online: false, maxAgeHours: 168 });
    expect(view.runs).toEqual([
      expect.objectContaining({ id: runWorkspaceId(runId), runId, state: "left-over", branch: "agentdesk/t", run: { title: "t", status: "awaiting_review" } }),
    ]);
    expect(view.runs[0]!.bytes).toBeGreaterThanOrEqual(5000);
  });

  it("refuses a bad id naming the field, and an unknown job process with 404, queueing nothing", async () => {
    const bad = await remove("run~../../etc");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.issues).toEqual([expect.objectContaining({ path: "id" })]);
    const unknown = await remove(runWorkspaceId(runId), admin, "nobody:1");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorBody).error.issues).toEqual([expect.objectContaining({ path: "worker" })]);
  });

  it("a suspended run's workspace: 409 with the job process's reason, kept, and the refusal audited", async () => {
    const app = await getApp();
    const log = createEventLog(app.redis, app.config.redisPrefix);
    await app.redis.hset(log.keys.suspendedRuns, runId, "{}");
    try {
      const res = await remove(runWorkspaceId(runId));
      expect(res.status).toBe(409);
      expect(((await res.json()) as ErrorBody).error.message).toMatch(/waiting for a person/);
    } finally {
      await app.redis.hdel(log.keys.suspendedRuns, runId);
    }
    expect(await fs.stat(runDir(dataDir, runId)).then(() => true)).toBe(true);
    expect((await auditRows(runWorkspaceId(runId))).map((r) => r.details)).toEqual([expect.objectContaining({ worker: WORKER, outcome: "refused" })]);
  });

  it("deletes a left-over workspace through its job process, audits it, and the list no longer shows it", async () => {
    const res = await remove(runWorkspaceId(runId));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: "deleted", worker: WORKER, id: runWorkspaceId(runId) });
    expect(await fs.stat(runDir(dataDir, runId)).then(() => true, () => false)).toBe(false);
    const audited = await auditRows(runWorkspaceId(runId));
    expect(audited.map((r) => [r.actorEmail, r.teamId, (r.details as { outcome: string }).outcome])).toEqual([
      ["ws-admin@example.com", null, "refused"],
      ["ws-admin@example.com", null, "deleted"],
    ]);
    const body = (await (await list()).json()) as WorkspacesView;
    expect(body.workers.find((w) => w.worker === WORKER)!.runs).toEqual([]);
    expect((await remove(runWorkspaceId(runId))).status).toBe(404);
    // The worker's name as a URL carries it (host%3Apid), however the framework hands it over.
    const viaEncoded = await remove(runWorkspaceId(runId), admin, encodeURIComponent(WORKER));
    expect(viaEncoded.status).toBe(404);
    // The job process answered "not here" (an unknown worker would name the field instead).
    expect(((await viaEncoded.json()) as ErrorBody).error).toMatchObject({ message: expect.stringMatching(/is not on/) });
    const encodedBad = await remove(encodeURIComponent("run~../../etc"));
    expect(encodedBad.status).toBe(400);
  });

  it("a job process that does not answer in time: 503, the request expires with its minute, and the attempt is audited", async () => {
    const app = await getApp();
    const silent = `silent-${crypto.randomBytes(3).toString("hex")}:1`;
    await app.redis.set(workspaceReportKey(app.config.redisPrefix, silent), "{}", "EX", 30);
    const id = runWorkspaceId("runsilent");
    const error = await deleteWorkspace(app, await principalFor(admin), { worker: silent, id }, { waitMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "unavailable", message: expect.stringMatching(/did not answer/) });
    expect(await app.redis.ttl(workspaceDeleteRequestsKey(app.config.redisPrefix, silent))).toBeGreaterThan(0);
    expect((await auditRows(id)).map((r) => (r.details as { outcome: string }).outcome)).toEqual(["no_answer"]);
  });
});
