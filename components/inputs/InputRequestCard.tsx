import type { RunEventOf } from "@/lib/events";
import { FeedRow } from "../feed/FeedRow";
import { icons } from "../feed/icons";
import { RequestPanel } from "./RequestPanel";

/** An approval request or question in the run's feed: answerable in place, then its outcome. */
export function InputRequestCard({
  event,
  resolution,
  closed = false,
}: {
  event: RunEventOf<"input.requested">;
  resolution?: RunEventOf<"input.resolved">;
  /** The run waits for nothing any more: an unanswered request is cancelled. */
  closed?: boolean;
}) {
  const outcome = resolution && {
    decision: resolution.decision,
    answer: resolution.answer,
    note: resolution.note,
    editedInput: resolution.editedInput,
    remember: resolution.remember,
    by: resolution.by,
    at: resolution.at,
  };
  return (
    <FeedRow icon={icons.hand} tone={resolution || closed ? "neutral" : "warning"} at={event.at} type={event.type}>
      <RequestPanel request={event} outcome={outcome} closed={closed} />
    </FeedRow>
  );
}
