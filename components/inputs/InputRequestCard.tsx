"use client";

import type { RunEventOf } from "@/lib/events";
import { FeedRow } from "../feed/FeedRow";
import { icons } from "../feed/icons";
import { buttonClass } from "../ui/styles";
import { RequestDetails } from "./RequestDetails";
import { RequestPanel } from "./RequestPanel";
import { useCanActOnRun } from "../runs/RunAccess";

/**
 * An approval request or question in the run's feed: answerable in place, then its outcome.
 * While the page's action bar holds it (`inBar`), the feed shows what was asked and points
 * there: one form per request on the page.
 */
export function InputRequestCard({
  event,
  resolution,
  closed = false,
  inBar = false,
}: {
  event: RunEventOf<"input.requested">;
  resolution?: RunEventOf<"input.resolved">;
  /** The run waits for nothing any more: an unanswered request is cancelled. */
  closed?: boolean;
  inBar?: boolean;
}) {
  const canAct = useCanActOnRun();
  const outcome = resolution && {
    decision: resolution.decision,
    answer: resolution.answer,
    note: resolution.note,
    editedInput: resolution.editedInput,
    remember: resolution.remember,
    by: resolution.by,
    at: resolution.at,
  };
  if (!canAct && !outcome && !closed) {
    return (
      <FeedRow icon={icons.hand} tone="warning" at={event.at} type={event.type}>
        <div className="space-y-3 rounded-lg border border-amber-800/70 bg-amber-950/20 p-3">
          <RequestDetails request={event} />
          <p className="text-sm text-zinc-400">Waiting for the run&apos;s owner or a team admin to answer.</p>
        </div>
      </FeedRow>
    );
  }
  if (inBar && !outcome && !closed) {
    return (
      <FeedRow icon={icons.hand} tone="warning" at={event.at} type={event.type}>
        <div data-input-in-bar={event.requestId} className="space-y-3 rounded-lg border border-amber-800/70 bg-amber-950/20 p-3">
          <RequestDetails request={event} />
          <div className="flex flex-wrap items-center gap-3 text-sm text-zinc-300">
            <span>Waiting for your answer, in the bar at the top.</span>
            <button type="button" onClick={() => window.scrollTo({ top: 0 })} className={buttonClass("secondary", "sm")}>
              ↑ Answer it
            </button>
          </div>
        </div>
      </FeedRow>
    );
  }
  return (
    <FeedRow icon={icons.hand} tone={resolution || closed ? "neutral" : "warning"} at={event.at} type={event.type}>
      <RequestPanel request={event} outcome={outcome} closed={closed} />
    </FeedRow>
  );
}
