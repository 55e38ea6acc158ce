import { and, eq } from "drizzle-orm";
import { statusWords } from "../contracts/runLifecycle";
import { needsParentBranch, parentAllowsPush } from "../contracts/runStack";
import type { Db } from "../db/client";
import { run } from "../db/schema";
import { AppError } from "../errors";

type Reviewed = { id: string; originRunId: string | null; originKind: string | null };

/**
 * The review decisions a stack orders (lib/contracts/runStack.ts): a stacked run is pushed
 * only after its parent (its pull request targets the parent's branch, which must be on the
 * remote), and a run whose branch a live stacked run builds on is not discarded under it.
 * A 409 naming the other run; read inside the decision's transaction.
 */
export async function refuseOutOfStackOrder(db: Pick<Db, "select">, current: Reviewed, action: "push" | "request_changes" | "discard"): Promise<void> {
  if (action === "push" && current.originKind === "stack" && current.originRunId) {
    const [parent] = await db.select({ id: run.id, title: run.title, status: run.status }).from(run).where(eq(run.id, current.originRunId)).limit(1);
    if (parent && !parentAllowsPush(parent.status)) {
      throw new AppError(
        "conflict",
        `Push run "${parent.title}" (${parent.id}) first: this run is stacked on its branch, which is not pushed yet (${statusWords(parent.status)})`,
      );
    }
  }
  if (action === "discard") {
    const children = await db
      .select({ id: run.id, title: run.title, status: run.status })
      .from(run)
      .where(and(eq(run.originRunId, current.id), eq(run.originKind, "stack")));
    const live = children.find((c) => needsParentBranch(c.status));
    if (live) {
      throw new AppError(
        "conflict",
        `Run "${live.title}" (${live.id}) continues this run's branch (${statusWords(live.status)}); discard or cancel it first`,
      );
    }
  }
}
