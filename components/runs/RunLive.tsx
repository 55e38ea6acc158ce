"use client";

import { useCallback, useReducer, useState } from "react";
import { canCancel, canRetry, canReview, canTakeInput, withOpenRequests } from "@/lib/contracts/runLifecycle";
import type { RunEvent, SecretFinding } from "@/lib/events";
import type { PendingInput } from "@/lib/services/runs";
import { hasRunReport } from "@/lib/runReport";
import { DiffPanel } from "../diff/DiffPanel";
import { appendToFeed, emptyFeed, type Feed } from "../feed/feedModel";
import { JumpToLatest } from "../feed/JumpToLatest";
import { RunFeed } from "../feed/RunFeed";
import { useFollowTail } from "../feed/useFollowTail";
import { useRunEvents } from "../feed/useRunEvents";
import type { FormAction } from "../forms/useFormAction";
import type { InputRequest } from "../inputs/types";
import { ReviewActions, type ReviewOptions } from "../review/ReviewActions";
import { liveReviewChecks } from "../review/liveChecks";
import type { ReviewFormAction } from "../review/DecisionForm";
import { Card } from "../ui/Card";
import { Markdown } from "../ui/Markdown";
import { useNow } from "../ui/useNow";
import { ActionBar, REVIEW_ANCHOR, type Pending } from "./ActionBar";
import { applyRunEvent } from "./applyRunEvent";
import { CancelButton } from "./CancelButton";
import { RetryButton } from "./RetryButton";
import { ReadOnlyNote, RunAccessProvider } from "./RunAccess";
import { RunDetails } from "./RunDetails";
import type { RunRecord } from "./runTypes";
import { StatusBadge } from "./StatusBadge";
import { StreamIndicator } from "./StreamIndicator";

// secretFindings: the latest diff's push-protection findings, once its diff.ready is seen.
// openRequests: requests asked and not resolved in the feed; while one is, the run waits (as
// the projection says), also after a job process took the run over and announced run.started.
// asked: every request seen (from the page's first reading, then the feed), for the action bar;
// diffFiles: how many files the latest diff changed; turns: the model turns of the latest usage event.
type State = {
  run: RunRecord;
  feed: Feed;
  diffHead: string | null;
  pullRequestUrl: string | null;
  secretFindings: SecretFinding[] | null;
  openRequests: ReadonlySet<string>;
  asked: ReadonlyMap<string, InputRequest>;
  answered: ReadonlySet<string>;
  diffFiles: number | null;
  turns: number | null;
};
type Batch = { id: string; event: RunEvent }[];

function reduce(state: State, batch: Batch): State {
  const fresh = batch.filter((e) => !state.feed.seen.has(e.id));
  if (!fresh.length) return state;
  let { run, diffHead, pullRequestUrl, secretFindings, asked, answered, diffFiles, turns } = state;
  const openRequests = new Set(state.openRequests);
  for (const { event } of fresh) {
    if (event.type === "input.requested") {
      openRequests.add(event.requestId);
      const { requestId, kind, tool, input, question, reasons, at } = event;
      asked = new Map(asked).set(requestId, { requestId, kind, tool, input, question, reasons, at, runId: run.id });
    }
    if (event.type === "input.resolved") {
      openRequests.delete(event.requestId);
      answered = new Set(answered).add(event.requestId);
    }
    run = applyRunEvent(run, event);
    run = { ...run, status: withOpenRequests(run.status, openRequests.size) };
    if (event.type === "diff.ready") {
      diffHead = event.headSha;
      secretFindings = event.secretFindings ?? [];
      diffFiles = event.files.length;
    }
    if (event.type === "push.finished" && event.pullRequestUrl) pullRequestUrl = event.pullRequestUrl;
    if (event.type === "usage" && event.turn !== undefined) turns = event.turn;
  }
  return { run, diffHead, pullRequestUrl, secretFindings, openRequests, asked, answered, diffFiles, turns, feed: appendToFeed(state.feed, fresh) };
}

/** What the action bar holds: the open requests while the run can take an answer, else the review. */
function pendingOf(state: State): Pending {
  const { run } = state;
  if (canTakeInput(run.status)) {
    const requests = [...state.asked.values()].filter((r) => !state.answered.has(r.requestId));
    if (requests.length) return { kind: "inputs", requests };
  }
  if (canReview(run.status)) return { kind: "review", runId: run.id, error: run.error, files: state.diffFiles };
  return null;
}

/** A run page's live part: the header follows the events, the feed shows them, the diff appears when ready. */
export function RunLive({
  initial,
  pendingInputs,
  cancelAction,
  retryAction,
  review,
  reviewAction,
}: {
  initial: RunRecord;
  /** The run's open requests when the page was read: the action bar holds them from the first paint. */
  pendingInputs: PendingInput[];
  cancelAction: FormAction<null>;
  /** Starts a new run with this one's settings and goes to it (a failed or cancelled run). */
  retryAction: FormAction<null>;
  review: ReviewOptions;
  reviewAction: ReviewFormAction;
}) {
  const [state, dispatch] = useReducer(reduce, null, (): State => ({
    run: initial,
    feed: emptyFeed(),
    diffHead: null,
    pullRequestUrl: null,
    secretFindings: null,
    openRequests: new Set<string>(),
    asked: new Map(pendingInputs.map(({ deadline: _deadline, ...r }) => [r.requestId, { ...r, runId: initial.id }])),
    answered: new Set<string>(),
    diffFiles: null,
    turns: null,
  }));
  // A decision starts new activity (a push, a follow-up run): follow the events again.
  const [generation, setGeneration] = useState(0);
  const onDecided = useCallback(() => setGeneration((g) => g + 1), []);
  const stream = useRunEvents(initial.id, dispatch, generation);
  const now = useNow(1000);
  const { endRef: feedEnd, following, newSteps, jump } = useFollowTail(state.feed.items);
  const { run } = state;
  // Who may not act reads: no forms, a note where they would be.
  const canAct = review.canDecide;
  const pending = canAct ? pendingOf(state) : null;
  const waiting = canAct ? null : pendingOf(state);
  const inBar = new Set(pending?.kind === "inputs" ? pending.requests.map((r) => r.requestId) : []);
  const live = stream.state !== "ended" && stream.state !== "failed";

  return (
    <RunAccessProvider value={{ canAct, canAnswerBudget: review.canAnswerBudget }}>
      <div className="space-y-6">
        <header className="space-y-4">
          <div className="flex flex-wrap items-start justify-between gap-3">
            <div className="min-w-0 space-y-2">
              <div className="flex flex-wrap items-center gap-3">
                <span data-testid="run-status">
                  <StatusBadge status={run.status} />
                </span>
                <StreamIndicator state={stream.state} />
              </div>
              <h1 className="text-xl font-semibold tracking-tight break-words text-zinc-50 sm:text-2xl">{run.title}</h1>
              {state.pullRequestUrl && (
                <a href={state.pullRequestUrl} target="_blank" rel="noreferrer" data-testid="pull-request-link" className="inline-block text-sm font-medium text-indigo-300 hover:underline">
                  Pull request: {state.pullRequestUrl}
                </a>
              )}
            </div>
            {canAct && canCancel(run.status) && <CancelButton runId={run.id} action={cancelAction} />}
            {canAct && canRetry(run.status) && <RetryButton runId={run.id} action={retryAction} />}
          </div>
          {run.error && run.status !== "failed" && !canReview(run.status) && (
            <p className="rounded-lg border border-red-900/70 bg-red-950/40 px-3 py-2 text-sm text-red-200">{run.error}</p>
          )}
        </header>

        <ActionBar key={pending?.kind === "inputs" ? pending.requests.map((r) => r.requestId).join(" ") : (pending?.kind ?? "none")} pending={pending} />
        {waiting && (
          <ReadOnlyNote>
            {waiting.kind === "inputs" ? "The run waits for an answer" : "The run is ready for review"} from its owner or a team admin. You can
            read it; acting on it is theirs.
          </ReadOnlyNote>
        )}

        <Card>
          <RunDetails run={run} now={now} turns={state.turns} />
        </Card>
        <Card title={run.executor === "cli" ? "Command" : "Task"}>
          {run.command ? (
            <pre className="rounded-md bg-black px-3 py-2 font-mono text-xs break-all whitespace-pre-wrap text-zinc-200">{run.command}</pre>
          ) : null}
          {run.prompt && (
            <div data-testid="run-task" className={run.command ? "mt-3" : undefined}>
              <Markdown text={run.prompt} className="text-sm leading-6 text-zinc-300" />
            </div>
          )}
        </Card>

        {run.status === "failed" && run.error && (
          <div role="alert" className="rounded-xl border border-red-800 bg-red-950/50 p-4">
            <p className="text-sm font-semibold text-red-200">This run failed</p>
            <p className="mt-1 font-mono text-sm whitespace-pre-wrap text-red-300">{run.error}</p>
          </div>
        )}

        <Card
          title="Steps"
          actions={stream.notice ? <span className="text-xs text-amber-300">{stream.notice}</span> : undefined}
        >
          {state.feed.items.length ? (
            <RunFeed items={state.feed.items} runStatus={run.status} inBar={inBar} />
          ) : (
            <p className="text-sm text-zinc-400">{emptyFeedText(stream.state === "connecting", run.status)}</p>
          )}
          <div ref={feedEnd} data-feed-end aria-hidden="true" />
        </Card>
        {live && !following && state.feed.items.length > 0 && <JumpToLatest newSteps={newSteps} onJump={jump} />}

        {canAct && canReview(run.status) && (
          <div id={REVIEW_ANCHOR} className="scroll-mt-40">
            <ReviewActions
              runId={run.id}
              error={run.error}
              options={
                state.secretFindings && state.diffHead
                  ? { ...review, secretFindings: state.secretFindings, checks: liveReviewChecks(state.feed.items, state.diffHead) }
                  : review
              }
              decide={reviewAction}
              onDecided={onDecided}
            />
          </div>
        )}

        {(state.diffHead ?? run.headSha) && <DiffPanel runId={run.id} version={state.diffHead ?? run.headSha!} reportReady={hasRunReport(run.status)} />}
      </div>
    </RunAccessProvider>
  );
}

/** What an empty feed says: a running command that has printed nothing is not waiting for a worker. */
function emptyFeedText(connecting: boolean, status: string): string {
  if (connecting) return "Loading steps…";
  if (status === "queued") return "No steps yet. The run is waiting for a worker.";
  if (status === "running") return "Started; nothing to show yet. Steps and output appear here as they happen.";
  return "This run recorded no steps.";
}
