import { and, desc, eq, inArray, notInArray } from "drizzle-orm";
import { dependencyState } from "../contracts/runDependencies";
import { endedWithoutWorkStatuses, statusWords, transitionFor, type RunStatus } from "../contracts/runLifecycle";
import { run, runDependency } from "../db/schema";
import { appendEventIfTail, cancelRequestedBy, decodeEntry, type EventLog } from "../eventLog";
import { fieldError } from "../errors";
import { runJobOptions, type Priority } from "../queue";
import type { App } from "../server/app";
import { runJobPayloadFor, runJobSpecsFor } from "./runPayload";
import { runWithRepository } from "./runWithRepository";
import type { Principal } from "./principal";
import { runVisibility, visibleRunsCondition } from "./runVisibility";

/**
 * Dependent runs (lib/contracts/runDependencies.ts): a run created with runs to wait for is
 * recorded with them (`run_dependency`) and appends `run.waiting` instead of getting a job.
 * `settleWaitingRun` is the one place that decides what becomes of it: released (appends
 * `run.released`, then adds its job), cancelled (a dependency ended without its work, or a
 * person cancelled it), or still waiting. It is called after the run is created, by the
 * recorder after it projects a dependency's status change, and by the reconciler (start-up and
 * every scan), so a web process that dies between a dependency's end and the release leaves
 * nothing stuck. Each decision appends only if the run's stream still ends where it was read
 * (compare-and-swap), so two dependencies finishing at once, or two web processes, release it
 * once; the job id is the run id, so adding it again is one job.
 *
 * Cycles cannot form: a run's dependencies are fixed when it is created and must exist then,
 * so no earlier run can wait for it.
 */

export type DependencyApp = Pick<App, "db" | "eventLog" | "queue">;

/** A dependency as the new run's submit checked it. */
export type CheckedDependency = { id: string; title: string; status: RunStatus };

/**
 * The runs `ids` names, each visible to the submitter and of the new run's team (the run's
 * team decides who sees it, so a run may only wait for runs its viewers see too), none ended
 * without its work. A 400 naming `dependsOn` otherwise; another team's run reads "not found".
 */
export async function checkDependencies(app: Pick<App, "db">, ids: readonly string[], teamId: string): Promise<CheckedDependency[]> {
  if (ids.length === 0) return [];
  const rows = await app.db
    .select({ id: run.id, title: run.title, status: run.status, teamId: run.teamId })
    .from(run)
    .where(inArray(run.id, [...ids]));
  return ids.map((id) => {
    const found = rows.find((r) => r.id === id);
    if (!found || found.teamId !== teamId) throw fieldError("dependsOn", `run ${id} was not found`);
    if (dependencyState(found.status) === "broken") {
      throw fieldError("dependsOn", `run "${found.title}" (${id}) is ${statusWords(found.status)}: it will never finish its work`);
    }
    return { id, title: found.title, status: found.status };
  });
}

/** The ids among `deps` the new run still has to wait for. */
export const pendingOf = (deps: readonly CheckedDependency[]): string[] =>
  deps.filter((d) => dependencyState(d.status) === "pending").map((d) => d.id);

/**
 * The run's stream's last id when the run is waiting there (its newest status event is
 * `run.waiting`), else null: released, cancelled, or never waiting. Read from the stream, not
 * the database, which may not have projected it yet.
 */
export async function waitingTail(log: EventLog, runId: string): Promise<string | null> {
  const entries = await log.redis.xrevrange(log.keys.runEvents(runId), "+", "-", "COUNT", 50);
  for (const [, fields] of entries) {
    const event = decodeEntry(runId, fields);
    if (!event) continue;
    if (event.type === "run.waiting") return entries[0]![0];
    if (transitionFor(event) !== null) return null;
  }
  return null;
}

export type SettleOutcome = "released" | "cancelled" | "waiting" | "not_waiting" | "raced";

/** Decides what becomes of a waiting run now; see the module comment. */
export async function settleWaitingRun(app: DependencyApp, runId: string): Promise<SettleOutcome> {
  const tail = await waitingTail(app.eventLog, runId);
  if (!tail) return "not_waiting";
  const cancelledBy = await cancelRequestedBy(app.eventLog, runId);
  if (cancelledBy) {
    const appended = await appendEventIfTail(app.eventLog, runId, { type: "run.cancelled", by: cancelledBy, reason: `cancelled by ${cancelledBy} while it waited for other runs` }, tail);
    return appended ? "cancelled" : "raced";
  }
  const deps = await app.db
    .select({ id: runDependency.dependsOnRunId, title: run.title, status: run.status })
    .from(runDependency)
    .leftJoin(run, eq(run.id, runDependency.dependsOnRunId))
    .where(eq(runDependency.runId, runId));
  const broken = deps.find((d) => d.status === null || dependencyState(d.status) === "broken");
  if (broken) {
    const reason = broken.status
      ? `run "${broken.title}" (${broken.id}) it waited for is ${statusWords(broken.status)}`
      : `run ${broken.id} it waited for no longer exists`;
    const appended = await appendEventIfTail(app.eventLog, runId, { type: "run.cancelled", reason }, tail);
    return appended ? "cancelled" : "raced";
  }
  if (deps.some((d) => dependencyState(d.status!) === "pending")) return "waiting";

  const found = await runWithRepository(app, runId);
  if (!found) return "not_waiting";
  let payload;
  try {
    // Built now, not at submit: a stacked run starts at its parent's head as it is now.
    payload = runJobPayloadFor(found.run, found.repo, await runJobSpecsFor(app, found.run, found.repo.id));
  } catch (e) {
    const error = `it could not be queued after the runs it waited for finished (${(e as Error).message}); start a new run`;
    const appended = await appendEventIfTail(app.eventLog, runId, { type: "run.failed", error }, tail);
    return appended ? "cancelled" : "raced";
  }
  const appended = await appendEventIfTail(app.eventLog, runId, { type: "run.released", after: deps.map((d) => d.id) }, tail);
  if (!appended) return "raced";
  // A crash right here leaves a queued run without a job: the reconciler adds it (reconcileRun.ts).
  await app.queue.add("run", payload, runJobOptions(runId, found.run.priority as Priority));
  return "released";
}

/**
 * After a run's status changed: settles every run waiting for it. Failures are logged, not
 * thrown (the recorder must not stall on them); the reconciler's scans settle what is left.
 */
export async function settleDependentsOf(app: DependencyApp, runId: string, status: RunStatus): Promise<void> {
  if (dependencyState(status) === "pending") return;
  const dependents = await app.db.select({ runId: runDependency.runId }).from(runDependency).where(eq(runDependency.dependsOnRunId, runId));
  for (const d of dependents) {
    try {
      // A lost race is another settle's success: look once more, then leave it to the reconciler.
      if ((await settleWaitingRun(app, d.runId)) === "raced") await settleWaitingRun(app, d.runId);
    } catch (e) {
      console.error(`[dependencies] could not settle run ${d.runId} after run ${runId} became ${status}; the reconciler will:`, (e as Error).message);
    }
  }
}

/** The runs the New run form offers to wait for: the team's newest that may still finish well. */
export async function dependencyChoices(app: Pick<App, "db">, principal: Principal, limit = 20): Promise<CheckedDependency[]> {
  return app.db
    .select({ id: run.id, title: run.title, status: run.status })
    .from(run)
    .where(and(visibleRunsCondition(runVisibility(principal)), notInArray(run.status, [...endedWithoutWorkStatuses])))
    .orderBy(desc(run.createdAt), desc(run.id))
    .limit(limit);
}
