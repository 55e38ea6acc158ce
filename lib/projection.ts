import { eq, sql } from "drizzle-orm";
import type { RunChange, RunChangeKind } from "./contracts/runChanges";
import { isActive, transitionFor, withOpenRequests, type RunStatus } from "./contracts/runLifecycle";
import type { Db } from "./db/client";
import { reviewDecision, run, runDiff, runEvent } from "./db/schema";
import { projectCheckFinished, projectCheckStarted } from "./runCheckProjection";
import { compareStreamIds, parseStreamId } from "./eventLog";
import type { RunEvent } from "./events";
import { cancelOpenRequests, openRequestCount, projectInputRequested, projectInputResolved } from "./inputRequestProjection";
import { runChanges, runEffectOn } from "./runChanges";
import type { RunTimes } from "./runTimes";
import { storableDeep } from "./storableText";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * Writes one event into the database: the event row (idempotent by its stream id), its diff,
 * its input request record, and its effect on the run row. The one writer of `run.status`:
 * services append events and the status follows from them here, by the lifecycle's
 * transition table. Returns false when the event was already recorded.
 */
export async function projectEvent(db: Db, streamId: string, unchecked: RunEvent): Promise<boolean> {
  return (await projectEventNotingChange(db, streamId, unchecked)).recorded;
}

/**
 * `projectEvent`, also saying what the event changed on its run for the users' live channels
 * (null: nothing a list or inbox shows). The change is given for an event already recorded
 * too, with the run's status as it is now: whoever projected it first may have died before
 * announcing it, so the recorder announces it again (clients tolerate repeats).
 */
export async function projectEventNotingChange(
  db: Db,
  streamId: string,
  unchecked: RunEvent,
): Promise<{ recorded: boolean; change: RunChange | null }> {
  const { ms, seq } = parseStreamId(streamId);
  // Appends escape text PostgreSQL cannot store already; an entry written by anything else
  // must not be able to stall the recorder with it either (lib/storableText.ts).
  const event = storableDeep(unchecked);
  const kind = changeKind(event);
  return db.transaction(async (tx) => {
    // The run row is locked before the event row is written: a service that appends an event
    // while holding the lock (a review decision) and projects it itself then never deadlocks
    // with a recorder projecting the same entry; the recorder waits, then finds it recorded.
    const current = affectsRun(event) ? await lockRun(tx, event.runId) : null;
    const noted = (status: RunStatus | undefined, owner: RunOwner | null | undefined): RunChange | null =>
      kind && status && owner
        ? { runId: event.runId, userId: owner.userId, teamId: owner.teamId, status, kind, ...(touchesRequests(event) ? { requestId: requestIdOf(event) } : {}), at: event.at }
        : null;
    const { runId: _r, seq: _s, at: _a, type, ...rest } = event;
    const { patch, ...stored } = rest as typeof rest & { patch?: string };
    const inserted = await tx
      .insert(runEvent)
      .values({ runId: event.runId, streamMs: ms, streamSeq: seq, seq: event.seq, type, at: new Date(event.at), data: stored })
      .onConflictDoNothing()
      .returning({ seq: runEvent.seq });
    if (inserted.length === 0) return { recorded: false, change: noted(current?.status, current) };

    if (event.type === "diff.ready") {
      const values = {
        runId: event.runId,
        baseSha: event.baseSha,
        headSha: event.headSha,
        patch: patch ?? "",
        files: event.files,
        additions: event.additions,
        deletions: event.deletions,
        truncated: event.truncated,
        secretFindings: event.secretFindings ?? [],
      };
      await tx.insert(runDiff).values(values).onConflictDoUpdate({ target: runDiff.runId, set: values });
    }
    if (event.type === "check.started") await projectCheckStarted(tx, event);
    if (event.type === "check.finished") await projectCheckFinished(tx, event);
    if (current) {
      const status = await projectOntoRun(tx, streamId, event, current);
      return { recorded: true, change: noted(status, current) };
    }
    // Events that change no column (run.queued) still tell a list a run appeared.
    const owner = kind ? await runOwner(tx, event.runId) : null;
    return { recorded: true, change: noted(owner?.status, owner) };
  });
}

/** What a live list needs to know the event did to its run, or null for events it does not show. */
function changeKind(event: RunEvent): RunChangeKind | null {
  if (touchesRequests(event)) return "input";
  if (event.type === "run.queued") return "created";
  if (transitionFor(event) !== null) return "status";
  if (event.type === "usage") return "usage";
  return Object.keys(runChanges(event)).length > 0 ? "details" : null;
}

const requestIdOf = (event: RunEvent): string | undefined =>
  event.type === "input.requested" || event.type === "input.resolved" ? event.requestId : undefined;

/** Whose the run is: its owner and its team (who is told about a change). */
type RunOwner = { userId: string; teamId: string };

async function runOwner(tx: Tx, runId: string): Promise<({ status: RunStatus } & RunOwner) | null> {
  const [row] = await tx.select({ status: run.status, userId: run.userId, teamId: run.teamId }).from(run).where(eq(run.id, runId));
  return row ?? null;
}

const touchesRequests = (event: RunEvent) => event.type === "input.requested" || event.type === "input.resolved";

// Most events (text, tools, logs) change nothing on the run: no need to lock its row.
const affectsRun = (event: RunEvent) =>
  touchesRequests(event) || transitionFor(event) !== null || Object.keys(runChanges(event)).length > 0;

type LockedRun = RunTimes & RunOwner & { status: RunStatus; lastEventId: string | null; inputTimeoutSec: number };

async function lockRun(tx: Tx, runId: string): Promise<LockedRun | null> {
  const [current] = await tx
    .select({
      status: run.status,
      userId: run.userId,
      teamId: run.teamId,
      lastEventId: run.lastEventId,
      inputTimeoutSec: run.inputTimeoutSec,
      // The times move from what they are (lib/runTimes.ts): the first start stays, rounds add up.
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      roundStartedAt: run.roundStartedAt,
      earlierRoundsMs: run.earlierRoundsMs,
      round: run.round,
    })
    .from(run)
    .where(eq(run.id, runId))
    .for("update");
  return current ?? null;
}

/** Writes the event's effect on its locked run; returns the run's status afterwards. */
async function projectOntoRun(tx: Tx, streamId: string, event: RunEvent, current: LockedRun): Promise<RunStatus> {

  // Request records are keyed by request, not ordered by stream id: written whatever came first.
  if (event.type === "input.requested") {
    await projectInputRequested(tx, event, { inputTimeoutSec: current.inputTimeoutSec, waiting: isActive(current.status) });
  } else if (event.type === "input.resolved") {
    await projectInputResolved(tx, event);
  }

  // Several recorders may interleave: an older event never overwrites a newer one's effect.
  if (current.lastEventId && compareStreamIds(streamId, current.lastEventId) < 0) return current.status;
  let { changes, outcome } = runEffectOn(current, event);
  if (outcome.kind === "moved" && event.type === "review.decided" && !(await decisionRecorded(tx, event.decisionId))) {
    // The service appends the event inside the transaction that records the decision; if that
    // transaction was rolled back, the event stands in the feed but decided nothing.
    outcome = { kind: "refused", from: current.status, to: outcome.to, event: event.type };
    changes = {};
  }
  if (outcome.kind === "refused") {
    console.warn(
      `[projection] run ${event.runId}: ${outcome.event} (${streamId}) would move it from ${outcome.from} to ${outcome.to}; ` +
        "recorded, status unchanged",
    );
  }
  const status = changes.status || touchesRequests(event) ? await settledStatus(tx, event, changes.status ?? current.status) : current.status;
  if (Object.keys(changes).length === 0 && status === current.status && !touchesRequests(event)) return status;
  await tx
    .update(run)
    .set({ ...changes, status, lastEventId: streamId, updatedAt: sql`now()` })
    .where(eq(run.id, event.runId));
  return status;
}

/**
 * The status once the run's input requests are counted: a run with an open request waits for
 * it (after a hand-over too), and a run that no longer waits for anyone closes its requests.
 */
async function settledStatus(tx: Tx, event: RunEvent, status: RunStatus): Promise<RunStatus> {
  if (!isActive(status)) {
    await cancelOpenRequests(tx, event.runId, new Date(event.at));
    return status;
  }
  if (status === "queued") return status;
  return withOpenRequests(status, await openRequestCount(tx, event.runId));
}

async function decisionRecorded(tx: Tx, decisionId: string): Promise<boolean> {
  const rows = await tx.select({ id: reviewDecision.id }).from(reviewDecision).where(eq(reviewDecision.id, decisionId)).limit(1);
  return rows.length > 0;
}
