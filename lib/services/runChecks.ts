import { asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { runCheck as runCheckTable } from "../db/schema";
import { runCheck, type RunCheck } from "../contracts/runChecks";

/**
 * A run's repository hooks as recorded (lib/contracts/runChecks.ts), in the order they ran.
 * The caller has checked the principal may see the run. Rows are read back through the
 * contract's schema: a stored value it no longer accepts fails loudly here, not in a page.
 */
export async function runChecksOf(db: Db, runId: string): Promise<RunCheck[]> {
  const rows = await db.select().from(runCheckTable).where(eq(runCheckTable.runId, runId)).orderBy(asc(runCheckTable.seq));
  return rows.map((row) =>
    runCheck.parse({
      ...row,
      startedAt: row.startedAt.toISOString(),
      finishedAt: row.finishedAt?.toISOString() ?? null,
    }),
  );
}

/**
 * The post-run checks of the commit under review: those that ran on `headSha`, the latest of
 * each name (a re-delivered job may have run them twice on the same commit). Earlier rounds'
 * checks ran on earlier commits and are not the review's.
 */
export function reviewedChecks(checks: readonly RunCheck[], headSha: string | null): RunCheck[] {
  if (!headSha) return [];
  const latest = new Map<string, RunCheck>();
  for (const check of checks) {
    if (check.phase === "post" && check.headSha === headSha) latest.set(check.name, check);
  }
  return [...latest.values()];
}

/** The reviewed checks that did not pass (a check left running: its delivery died, so it did not pass either). */
export const failedChecks = (checks: readonly RunCheck[]) => checks.filter((c) => c.status !== "passed");
