import { and, asc, eq } from "drizzle-orm";
import type { RunStatus } from "../contracts/runLifecycle";
import type { RunOriginKind } from "../contracts/runOrigin";
import { run, runDependency, runTemplate, schedule } from "../db/schema";
import type { App } from "../server/app";
import type { Principal } from "./principal";
import { runVisibility, seesRunOf, visibleRunsCondition, type RunVisibility } from "./runVisibility";
import { stackAncestors } from "./runStack";

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
  /** The run template it was started from (by hand, a schedule or a webhook); same rules as `schedule`. */
  template: { id: string; name: string | null; deleted: boolean } | null;
  derived: LinkedRun[];
  /**
   * A stacked run's chain (lib/contracts/runStack.ts), root first and its parent last, each
   * with its branch; `parentChangedSince`: the parent's branch moved on after this run started
   * from it (a "request changes" round), so this run does not hold the parent's newest commits.
   */
  stack: { chain: StackEntry[]; parentChangedSince: boolean } | null;
  /** The runs this one waits (or waited) for, with their status now (null: deleted or not visible). */
  dependsOn: { runId: string; title: string | null; status: RunStatus | null }[];
};

type StackEntry = { runId: string; title: string | null; status: RunStatus | null; branch: string | null };

type LineageRow = Pick<typeof run.$inferSelect, "id" | "originRunId" | "originKind" | "scheduleId" | "templateId" | "baseSha">;

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

  let templateLink: RunLineage["template"] = null;
  if (row.templateId) {
    const [used] = await app.db
      .select({ teamId: runTemplate.teamId, name: runTemplate.name })
      .from(runTemplate)
      .where(eq(runTemplate.id, row.templateId))
      .limit(1);
    // Templates too are seen by every member of their team.
    templateLink = { id: row.templateId, name: used && seesRunOf(visibility, used.teamId) ? used.name : null, deleted: !used };
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
  return { origin, schedule: scheduleLink, template: templateLink, derived, stack: await stackOf(app, visibility, row), dependsOn: await dependenciesOf(app, visibility, row.id) };
}

async function stackOf(app: Pick<App, "db">, visibility: RunVisibility, row: LineageRow): Promise<RunLineage["stack"]> {
  if (row.originKind !== "stack") return null;
  const chain = await stackAncestors(app, row);
  const parent = chain.at(-1);
  const parentTip = parent ? (parent.headSha ?? parent.baseSha) : null;
  return {
    chain: chain.map((r) =>
      seesRunOf(visibility, r.teamId)
        ? { runId: r.id, title: r.title, status: r.status, branch: r.branch }
        : { runId: r.id, title: null, status: null, branch: null },
    ),
    parentChangedSince: Boolean(row.baseSha && parentTip && parentTip !== row.baseSha),
  };
}

async function dependenciesOf(app: Pick<App, "db">, visibility: RunVisibility, runId: string): Promise<RunLineage["dependsOn"]> {
  const rows = await app.db
    .select({ runId: runDependency.dependsOnRunId, title: run.title, status: run.status, teamId: run.teamId })
    .from(runDependency)
    .leftJoin(run, eq(run.id, runDependency.dependsOnRunId))
    .where(eq(runDependency.runId, runId))
    .orderBy(asc(runDependency.createdAt), asc(runDependency.dependsOnRunId));
  return rows.map((d) =>
    d.teamId && seesRunOf(visibility, d.teamId) ? { runId: d.runId, title: d.title, status: d.status } : { runId: d.runId, title: null, status: null },
  );
}

