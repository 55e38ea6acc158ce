import type { RunEvent } from "./events";

/**
 * A run's clock, over every round of work: a run that goes back to work after "request
 * changes" starts a new round on the same branch. Pure (no database, no Redis, safe in a
 * browser) so the projection writing the run row and the run page applying events live keep
 * the same times by the same rules.
 *
 * - startedAt: when the first round started; never moves after that.
 * - roundStartedAt: when the current round started (null while a new round waits in the queue).
 * - finishedAt: when the latest round ended; null while a round is under way, never before its start.
 * - earlierRoundsMs: the work time of the rounds before the current one (the time a run spent
 *   waiting for its review between rounds is not work time).
 * - round: 1 for the first round, one more for each "request changes".
 */
export type RunTimes = {
  startedAt: Date | null;
  finishedAt: Date | null;
  roundStartedAt: Date | null;
  earlierRoundsMs: number;
  round: number;
};

/** The run's times as its JSON view carries them (ISO strings). */
export type RunTimesView = {
  startedAt: string | null;
  finishedAt: string | null;
  roundStartedAt: string | null;
  earlierRoundsMs: number;
  round: number;
};

const later = (a: Date, b: Date | null) => (b && b.getTime() > a.getTime() ? b : a);

/** How long the current (or just finished) round has worked, up to `end`. */
const roundMs = (t: Pick<RunTimes, "roundStartedAt" | "finishedAt">, end: number) =>
  t.roundStartedAt ? Math.max(0, (t.finishedAt?.getTime() ?? end) - t.roundStartedAt.getTime()) : 0;

/**
 * What a status event, once the lifecycle accepted it, changes on the run's times. The caller
 * applies it only to a legal move (a refused event of a stopped attempt changes nothing).
 */
export function runTimesAfter(current: RunTimes, event: RunEvent): Partial<RunTimes> {
  const at = new Date(event.at);
  switch (event.type) {
    case "run.started":
      // Another attempt (a hand-over after a crash, a resume after a wait) continues the same
      // round: the first start of the run and of the round stand.
      return { startedAt: current.startedAt ?? at, roundStartedAt: current.roundStartedAt ?? at, finishedAt: null };
    case "review.decided":
      if (event.action !== "request_changes") return {};
      // The round that ended at review is closed into the total; the next starts when a job takes it.
      return {
        earlierRoundsMs: current.earlierRoundsMs + roundMs(current, at.getTime()),
        roundStartedAt: null,
        finishedAt: null,
        round: current.round + 1,
      };
    case "run.awaiting_review":
    case "run.completed":
    case "run.cancelled":
    case "run.failed":
      // The round's end stands once set: the feed's marker of a decision taken back, or a push
      // failing after the review, end no work. Clocks of two machines may disagree by a little:
      // an end is never recorded before its start.
      if (current.finishedAt) return {};
      return { finishedAt: later(at, current.roundStartedAt ?? current.startedAt) };
    default:
      return {};
  }
}

const date = (iso: string | null) => (iso ? new Date(iso) : null);

export const runTimesOf = (view: RunTimesView): RunTimes => ({
  startedAt: date(view.startedAt),
  finishedAt: date(view.finishedAt),
  roundStartedAt: date(view.roundStartedAt),
  earlierRoundsMs: view.earlierRoundsMs,
  round: view.round,
});

/**
 * The run's work time over all its rounds: the earlier rounds' total plus the current round,
 * up to its end or to `now` while it works; null before it ever started.
 */
export function runWorkedMs(view: RunTimesView, now: number): number | null {
  if (!view.startedAt) return null;
  return view.earlierRoundsMs + roundMs(runTimesOf(view), now);
}
