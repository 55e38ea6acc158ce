"use client";

import { useReducer } from "react";
import type { RunEvent } from "@/lib/events";
import { DiffPanel } from "../diff/DiffPanel";
import { appendToFeed, emptyFeed, type Feed } from "../feed/feedModel";
import { RunFeed } from "../feed/RunFeed";
import { useRunEvents } from "../feed/useRunEvents";
import type { FormAction } from "../forms/useFormAction";
import { Card } from "../ui/Card";
import { useNow } from "../ui/useNow";
import { applyRunEvent } from "./applyRunEvent";
import { CancelButton } from "./CancelButton";
import { RunDetails } from "./RunDetails";
import type { RunRecord } from "./runTypes";
import { StatusBadge } from "./StatusBadge";
import { StreamIndicator } from "./StreamIndicator";

type State = { run: RunRecord; feed: Feed; diffHead: string | null };
type Batch = { id: string; event: RunEvent }[];

const cancellable = new Set(["queued", "running", "waiting_input"]);

function reduce(state: State, batch: Batch): State {
  const fresh = batch.filter((e) => !state.feed.seen.has(e.id));
  if (!fresh.length) return state;
  let { run, diffHead } = state;
  for (const { event } of fresh) {
    run = applyRunEvent(run, event);
    if (event.type === "diff.ready") diffHead = event.headSha;
  }
  return { run, diffHead, feed: appendToFeed(state.feed, fresh) };
}

/** A run page's live part: the header follows the events, the feed shows them, the diff appears when ready. */
export function RunLive({ initial, cancelAction }: { initial: RunRecord; cancelAction: FormAction<null> }) {
  const [state, dispatch] = useReducer(reduce, { run: initial, feed: emptyFeed(), diffHead: null });
  const stream = useRunEvents(initial.id, dispatch);
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
          </div>
          {cancellable.has(run.status) && <CancelButton runId={run.id} action={cancelAction} />}
        </div>
        {run.error && run.status !== "failed" && (
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
          <RunFeed items={state.feed.items} />
        ) : (
          <p className="text-sm text-zinc-400">{stream.state === "connecting" ? "Loading steps…" : "No steps yet. The run is waiting for a worker."}</p>
        )}
      </Card>

      {state.diffHead && <DiffPanel runId={run.id} version={state.diffHead} />}
    </div>
  );
}
