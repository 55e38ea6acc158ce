import crypto from "node:crypto";
import { inArray } from "drizzle-orm";
import { z } from "zod";
import {
  WORKSPACE_DELETE_REQUEST_TTL_SEC,
  workspaceDeleteRequestsKey,
  workspaceDeleteResult,
  workspaceDeleteResultKey,
  workspaceId,
  workspaceReport,
  workspaceReportKey,
  type MirrorEntry,
  type PoolWorkspaceEntry,
  type RunWorkspaceEntry,
  type WorkspaceDeleteResult,
} from "../contracts/workspaces";
import { run } from "../db/schema";
import { AppError, fieldError } from "../errors";
import { valuesMatching } from "../redis";
import type { App } from "../server/app";
import { liveWorkers } from "../workerDirectory";
import { actorOf, recordAudit } from "./audit";
import { listEnvironmentCaches, type EnvironmentCachesView } from "./environmentCaches";
import { isAdmin, type Principal } from "./principal";

/**
 * The workspaces admin page (issue 15): what each job process keeps on its disk, as it reports
 * it in Redis (lib/contracts/workspaces.ts) — run workspaces with their run's status from the
 * database, pool entries, mirrors, and its environment caches (their own report) — and the
 * admin's delete of one, queued on the owning job process's list and answered by it. The web
 * never touches a job process's files.
 */

/** How long a delete waits for the job process's answer (it looks every half second). */
export const DELETE_ANSWER_WAIT_MS = 10_000;

export type RunWorkspaceView = RunWorkspaceEntry & {
  /** The run as the database has it (null: no run of that id, e.g. a test's or a deleted one). */
  run: { title: string; status: string } | null;
};

export type WorkerWorkspacesView = {
  worker: string;
  host: string;
  reportedAt: string;
  /** Its advert is live: it is taking jobs now (a report outlives a stopped process by its expiry at most). */
  online: boolean;
  maxAgeHours: number;
  maxBytes: number;
  runBytes: number;
  runs: RunWorkspaceView[];
  pool: PoolWorkspaceEntry[];
  mirrors: MirrorEntry[];
};

/** Job processes with a workspace report, and every job process's environment caches (their own report). */
export type WorkspacesView = { workers: WorkerWorkspacesView[]; caches: EnvironmentCachesView };

function assertAdmin(principal: Principal): void {
  if (!isAdmin(principal)) throw new AppError("forbidden", "Only an admin can see or delete the job processes' workspaces");
}

function parsedReport(raw: string) {
  try {
    const parsed = workspaceReport.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
    console.warn(`[workspaces] skipped a job process's report: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  } catch {
    console.warn("[workspaces] skipped a job process's report: not JSON");
  }
  return null;
}

export async function listWorkspaces(app: Pick<App, "db" | "redis" | "config">, principal: Principal): Promise<WorkspacesView> {
  assertAdmin(principal);
  const prefix = app.config.redisPrefix;
  const [raw, adverts, caches] = await Promise.all([
    valuesMatching(app.redis, workspaceReportKey(prefix, "*")),
    liveWorkers(app.redis, prefix),
    listEnvironmentCaches(app, principal),
  ]);
  const reports = raw.flatMap((r) => parsedReport(r) ?? []);
  const runIds = [...new Set(reports.flatMap((r) => r.runs.map((w) => w.runId)))];
  const rows = runIds.length
    ? await app.db.select({ id: run.id, title: run.title, status: run.status }).from(run).where(inArray(run.id, runIds))
    : [];
  const runs = new Map(rows.map((r) => [r.id, { title: r.title, status: r.status }]));
  const online = new Set(adverts.map((a) => a.name));
  return {
    workers: reports
      .map((report): WorkerWorkspacesView => ({
        worker: report.worker,
        host: report.host,
        reportedAt: report.reportedAt,
        online: online.has(report.worker),
        maxAgeHours: report.maxAgeHours,
        maxBytes: report.maxBytes,
        runBytes: report.runs.reduce((sum, r) => sum + r.bytes, 0),
        runs: report.runs.map((w) => ({ ...w, run: runs.get(w.runId) ?? null })),
        pool: report.pool,
        mirrors: report.mirrors,
      }))
      .sort((a, b) => a.worker.localeCompare(b.worker)),
    caches,
  };
}

export const deleteWorkspaceParams = z.object({
  worker: z.string().min(1).max(300),
  id: workspaceId,
});

/**
 * Asks the job process that owns the workspace to delete it, waits for its answer, and audits
 * the decision with that answer. Refused (the run is running or suspended there): 409 with
 * the job process's reason; gone already: 404; no answer in time: 503 (a busy job process may
 * still take the request within its minute; after that it expires unread, so a job process
 * that comes back later does not delete by surprise).
 */
export async function deleteWorkspace(
  app: Pick<App, "db" | "redis" | "config">,
  principal: Principal,
  params: { worker: string; id: string },
  o: { waitMs?: number } = {},
): Promise<WorkspaceDeleteResult> {
  assertAdmin(principal);
  const parsed = deleteWorkspaceParams.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw fieldError(String(issue.path[0] ?? "id"), issue.message);
  }
  const { worker, id } = parsed.data;
  const prefix = app.config.redisPrefix;
  if (!(await app.redis.exists(workspaceReportKey(prefix, worker)))) {
    throw new AppError("not_found", `no job process named "${worker}" reports its workspaces`, [{ path: "worker", message: "is not a live job process" }]);
  }
  const requestId = crypto.randomUUID();
  const key = workspaceDeleteRequestsKey(prefix, worker);
  await app.redis.multi().rpush(key, JSON.stringify({ requestId, id, at: new Date().toISOString() })).expire(key, WORKSPACE_DELETE_REQUEST_TTL_SEC).exec();
  const result = await awaitAnswer(app, requestId, o.waitMs ?? DELETE_ANSWER_WAIT_MS);
  await recordAudit(app.db, {
    teamId: null,
    actor: actorOf(principal),
    action: "workspace.delete",
    subject: { type: "workspace", id, label: `${id} on ${worker}` },
    details: { worker, outcome: result?.outcome ?? "no_answer", reason: result?.reason ?? null },
  });
  if (!result) {
    throw new AppError(
      "unavailable",
      `the job process ${worker} did not answer within ${Math.round((o.waitMs ?? DELETE_ANSWER_WAIT_MS) / 1000)} s (busy, or gone); it deletes the workspace if it reads the request within a minute, else the request expires`,
    );
  }
  if (result.outcome === "refused") throw new AppError("conflict", `the job process refused: ${result.reason ?? "no reason given"}`);
  if (result.outcome === "not_found") throw new AppError("not_found", `${id} is not on ${worker} (deleted already?)`);
  return result;
}

async function awaitAnswer(app: Pick<App, "redis" | "config">, requestId: string, waitMs: number): Promise<WorkspaceDeleteResult | null> {
  const deadline = Date.now() + waitMs;
  const key = workspaceDeleteResultKey(app.config.redisPrefix, requestId);
  for (;;) {
    const raw = await app.redis.get(key);
    if (raw) {
      const parsed = workspaceDeleteResult.safeParse(JSON.parse(raw));
      if (parsed.success) return parsed.data;
      console.warn("[workspaces] a job process's answer is not valid; treating it as none");
      return null;
    }
    if (Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
