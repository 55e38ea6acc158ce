import { and, asc, eq } from "drizzle-orm";
import type { RunStatus } from "../contracts/runLifecycle";
import type { RunOriginKind } from "../contracts/runOrigin";
import { run, schedule } from "../db/schema";
import type { App } from "../server/app";
import type { Principal } from "./principal";
import { runVisibility, seesRunOf, visibleRunsCondition } from "./runVisibility";

type LinkedRun = { kind: RunOriginKind; runId: string; title: string; status: RunStatus; createdAt: string };

/**
 * Where a run came from and what was made from it, as its page links them: the run it is a
 * retry, re-run or follow-up of; the schedule that made it; the runs made from it since (each
 * retry shows its original and the original shows its retries). Only what the viewer may see:
 * a run or schedule they may not see is named without a link (title and name null).
 */
export type RunLineage = {
  origin: (Omit<LinkedRun, "title" | "status" | "createdAt"> & { title: string | null }) | null;
  // `deleted`: the schedule is gone (its runs keep its id); `name` null: deleted or not the viewer's to see.
  schedule: { id: string; name: string | null; deleted: boolean } | null;
  derived: LinkedRun[];
};

type LineageRow = Pick<typeof run.$inferSelect, "id" | "originRunId" | "originKind" | "scheduleId">;

export async function runLineage(app: Pick<App, "db">, principal: Principal, row: LineageRow): Promise<RunLineage> {
  const visibility = runVisibility(principal);
  let origin: RunLineage["origin"] = null;
  if (row.originRunId && row.originKind) {
    const [from] = await app.db
      .select({ teamId: run.teamId, title: run.title })
      .from(run)
      .where(eq(run.id, row.originRunId))
      .limit(1);
    const visible = from && seesRunOf(visibility, from.teamId);
    origin = { kind: row.originKind, runId: row.originRunId, title: visible ? from.title : null };
  }

  let scheduleLink: RunLineage["schedule"] = null;
  if (row.scheduleId) {
    const [made] = await app.db
      .select({ teamId: schedule.teamId, name: schedule.name })
      .from(schedule)
      .where(eq(schedule.id, row.scheduleId))
      .limit(1);
    // Schedules follow the same rule as runs: every member of their team sees them.
    scheduleLink = { id: row.scheduleId, name: made && seesRunOf(visibility, made.teamId) ? made.name : null, deleted: !made };
  }

  const visible = visibleRunsCondition(visibility);
  const derivedRows = await app.db
    .select({ id: run.id, kind: run.originKind, title: run.title, status: run.status, createdAt: run.createdAt })
    .from(run)
    .where(and(eq(run.originRunId, row.id), visible))
    .orderBy(asc(run.createdAt), asc(run.id))
    .limit(50);
  const derived = derivedRows
    .filter((d): d is typeof d & { kind: RunOriginKind } => d.kind !== null)
    .map((d) => ({ kind: d.kind, runId: d.id, title: d.title, status: d.status, createdAt: d.createdAt.toISOString() }));
  return { origin, schedule: scheduleLink, derived };
}

