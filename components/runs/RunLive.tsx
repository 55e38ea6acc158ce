"use client";

import { useCallback, useReducer, useState } from "react";
import { canCancel, canRetry, canReview, withOpenRequests } from "@/lib/contracts/runLifecycle";
import type { RunEvent, SecretFinding } from "@/lib/events";
import { DiffPanel } from "../diff/DiffPanel";
import { appendToFeed, emptyFeed, type Feed } from "../feed/feedModel";
import { RunFeed } from "../feed/RunFeed";
import { useRunEvents } from "../feed/useRunEvents";
import type { FormAction } from "../forms/useFormAction";
import { ReviewActions, type ReviewOptions } from "../review/ReviewActions";
import type { ReviewFormAction } from "../review/DecisionForm";
import { Card } from "../ui/Card";
import { useNow } from "../ui/useNow";
import { applyRunEvent } from "./applyRunEvent";
import { CancelButton } from "./CancelButton";
import { RetryButton } from "./RetryButton";
import { RunDetails } from "./RunDetails";
import type { RunRecord } from "./runTypes";
import { StatusBadge } from "./StatusBadge";
import { StreamIndicator } from "./StreamIndicator";

// secretFindings: the latest diff's push-protection findings, once its diff.ready is seen.
// openRequests: requests asked and not resolved in the feed; while one is, the run waits (as
// the projection says), also after a job process took the run over and announced run.started.
type State = {
  run: RunRecord;
  feed: Feed;
  diffHead: string | null;
  pullRequestUrl: string | null;
  secretFindings: SecretFinding[] | null;
  openRequests: ReadonlySet<string>;
};
type Batch = { id: string; event: RunEvent }[];

function reduce(state: State, batch: Batch): State {
  const fresh = batch.filter((e) => !state.feed.seen.has(e.id));
  if (!fresh.length) return state;
  let { run, diffHead, pullRequestUrl, secretFindings } = state;
  const openRequests = new Set(state.openRequests);
  for (const { event } of fresh) {
    if (event.type === "input.requested") openRequests.add(event.requestId);
    if (event.type === "input.resolved") openRequests.delete(event.requestId);
    run = applyRunEvent(run, event);
    run = { ...run, status: withOpenRequests(run.status, openRequests.size) };
    if (event.type === "diff.ready") {
      diffHead = event.headSha;
      secretFindings = event.secretFindings ?? [];
    }
    if (event.type === "push.finished" && event.pullRequestUrl) pullRequestUrl = event.pullRequestUrl;
  }
  return { run, diffHead, pullRequestUrl, secretFindings, openRequests, feed: appendToFeed(state.feed, fresh) };
}

/** A run page's live part: the header follows the events, the feed shows them, the diff appears when ready. */
export function RunLive({
  initial,
  cancelAction,
  retryAction,
  review,
  reviewAction,
}: {
  initial: RunRecord;
  cancelAction: FormAction<null>;
  /** Starts a new run with this one's settings and goes to it (a failed or cancelled run). */
  retryAction: FormAction<null>;
  review: ReviewOptions;
  reviewAction: ReviewFormAction;
}) {
  const [state, dispatch] = useReducer(reduce, {
    run: initial,
    feed: emptyFeed(),
    diffHead: null,
    pullRequestUrl: null,
    secretFindings: null,
    openRequests: new Set<string>(),
  });
  // A decision starts new activity (a push, a follow-up run): follow the events again.
  const [generation, setGeneration] = useState(0);
  const onDecided = useCallback(() => setGeneration((g) => g + 1), []);
  const stream = useRunEvents(initial.id, dispatch, generation);
  const now = useNow(1000);
  const { run } = state;

  return (
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
          {canCancel(run.status) && <CancelButton runId={run.id} action={cancelAction} />}
          {canRetry(run.status) && <RetryButton runId={run.id} action={retryAction} />}
        </div>
        {run.error && run.status !== "failed" && !canReview(run.status) && (
          <p className="rounded-lg border border-red-900/70 bg-red-950/40 px-3 py-2 text-sm text-red-200">{run.error}</p>
        )}
        <Card>
          <RunDetails run={run} now={now} />
        </Card>
        <Card title={run.executor === "cli" ? "Command" : "Task"}>
          {run.command ? (
            <pre className="rounded-md bg-black px-3 py-2 font-mono text-xs break-all whitespace-pre-wrap text-zinc-200">{run.command}</pre>
          ) : null}
          {run.prompt && <p className={`${run.command ? "mt-3" : ""} text-sm whitespace-pre-wrap text-zinc-300`}>{run.prompt}</p>}
        </Card>
      </header>

      {run.status === "failed" && run.error && (
        <div role="alert" className="rounded-xl border border-red-800 bg-red-950/50 p-4">
          <p className="text-sm font-semibold text-red-200">This run failed</p>
          <p className="mt-1 font-mono text-sm whitespace-pre-wrap text-red-300">{run.error}</p>
        </div>
      )}

      <Card title="Steps" actions={stream.notice && <span className="text-xs text-amber-300">{stream.notice}</span>}>
        {state.feed.items.length ? (
          <RunFeed items={state.feed.items} runStatus={run.status} />
        ) : (
          <p className="text-sm text-zinc-400">{stream.state === "connecting" ? "Loading steps…" : "No steps yet. The run is waiting for a worker."}</p>
        )}
      </Card>

      {canReview(run.status) && (
        <ReviewActions
          runId={run.id}
          error={run.error}
          options={state.secretFindings ? { ...review, secretFindings: state.secretFindings } : review}
          decide={reviewAction}
          onDecided={onDecided}
        />
      )}

      {(state.diffHead ?? run.headSha) && <DiffPanel runId={run.id} version={state.diffHead ?? run.headSha!} />}
    </div>
  );
}
