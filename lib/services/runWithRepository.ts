import { eq } from "drizzle-orm";
import { repository, run } from "../db/schema";
import type { App } from "../server/app";

/**
 * A run's row with its repository's, or undefined; no access check (callers decide who may
 * see it: the review service by principal, the reconciler as the system).
 */
export async function runWithRepository(app: Pick<App, "db">, runId: string) {
  const [found] = await app.db
    .select({ run, repo: repository })
    .from(run)
    .innerJoin(repository, eq(repository.id, run.repositoryId))
    .where(eq(run.id, runId))
    .limit(1);
  return found;
}
