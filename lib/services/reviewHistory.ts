import { and, asc, desc, eq } from "drizzle-orm";
import { reviewDecision, runEvent, type ReviewAction } from "../db/schema";
import type { App } from "../server/app";

export type DecisionView = {
  id: string;
  runId: string;
  number: number;
  action: ReviewAction;
  by: string;
  feedback: string | null;
  pullRequest: boolean;
  headSha: string;
  createdAt: string;
};

export const decisionView = (d: typeof reviewDecision.$inferSelect): DecisionView => ({
  id: d.id,
  runId: d.runId,
  number: d.number,
  action: d.action,
  by: d.byEmail,
  feedback: d.feedback,
  pullRequest: d.pullRequest,
  headSha: d.headSha,
  createdAt: d.createdAt.toISOString(),
});

/**
 * The commit the run's branch was last pushed at (from its recorded `push.finished` events),
 * or null if it never was. A push expects the remote branch there and nowhere else, so a
 * branch someone else moved is never overwritten.
 */
export async function lastPushedCommit(app: Pick<App, "db">, runId: string): Promise<string | null> {
  const rows = await app.db
    .select({ data: runEvent.data })
    .from(runEvent)
    .where(and(eq(runEvent.runId, runId), eq(runEvent.type, "push.finished")))
    .orderBy(desc(runEvent.streamMs), desc(runEvent.streamSeq));
  for (const { data } of rows) {
    const finished = data as { ok?: boolean; commit?: string };
    if (finished.ok && finished.commit) return finished.commit;
  }
  return null;
}

/** The run's review decisions, oldest first. Call after checking the run is visible. */
export async function listDecisions(app: Pick<App, "db">, runId: string): Promise<DecisionView[]> {
  const rows = await app.db.select().from(reviewDecision).where(eq(reviewDecision.runId, runId)).orderBy(asc(reviewDecision.number));
  return rows.map(decisionView);
}
