import { eq } from "drizzle-orm";
import { MAX_STACK_DEPTH, type StackLink } from "../contracts/runStack";
import type { RunStatus } from "../contracts/runLifecycle";
import { run } from "../db/schema";
import { AppError } from "../errors";
import type { App } from "../server/app";

type StackRow = Pick<typeof run.$inferSelect, "id" | "originRunId" | "originKind">;

/** A run of a chain as the stack reads it. */
export type StackedRun = {
  id: string;
  title: string;
  teamId: string;
  status: RunStatus;
  branch: string;
  baseBranch: string;
  baseSha: string | null;
  headSha: string | null;
};

/**
 * The runs a stacked run builds on, root first and its parent last (empty for a run that is
 * not stacked). A run of the chain that no longer exists ends it there.
 */
export async function stackAncestors(app: Pick<App, "db">, row: StackRow): Promise<StackedRun[]> {
  const chain: StackedRun[] = [];
  let next = row.originKind === "stack" ? row.originRunId : null;
  while (next && chain.length < MAX_STACK_DEPTH) {
    const [parent] = await app.db
      .select({
        id: run.id,
        title: run.title,
        teamId: run.teamId,
        status: run.status,
        branch: run.branch,
        baseBranch: run.baseBranch,
        baseSha: run.baseSha,
        headSha: run.headSha,
        originRunId: run.originRunId,
        originKind: run.originKind,
      })
      .from(run)
      .where(eq(run.id, next))
      .limit(1);
    if (!parent) break;
    const { originRunId, originKind, ...stacked } = parent;
    chain.unshift(stacked);
    next = originKind === "stack" ? originRunId : null;
  }
  return chain;
}

/** The commit a run's branch is at for the run continuing it: its head, or its base when it made no commit. */
const tipOf = (r: StackedRun): string | null => r.headSha ?? r.baseSha;

/**
 * What the job of a stacked run needs (lib/queue.ts `stackedOn`): each branch of the chain at
 * its head now. Built when the job is added, after the runs it builds on finished their work,
 * so each has a head; one without is a 409 naming it.
 */
export async function stackLinksFor(app: Pick<App, "db">, row: StackRow): Promise<StackLink[] | null> {
  if (row.originKind !== "stack") return null;
  const chain = await stackAncestors(app, row);
  if (chain.length === 0) throw new AppError("conflict", `the run ${row.originRunId ?? ""} this run continues no longer exists`);
  return chain.map((r) => {
    const headSha = tipOf(r);
    if (!headSha) throw new AppError("conflict", `the run "${r.title}" (${r.id}) this run continues has no commit yet`);
    return { runId: r.id, branch: r.branch, headSha };
  });
}
