import { canTakeInput, type RunStatus } from "@/lib/contracts/runLifecycle";
import type { RunEventOf } from "@/lib/events";
import { InputRequestCard } from "../inputs/InputRequestCard";
import { AssistantText } from "./AssistantText";
import { CheckStep } from "./CheckStep";
import { EnvironmentStep } from "./EnvironmentStep";
import { EventEntry } from "./EventEntry";
import { FeedRow } from "./FeedRow";
import type { FeedItem } from "./feedModel";
import { icons } from "./icons";
import { ToolStep } from "./ToolStep";

/**
 * The run's steps as a timeline, in the order they happened. A request with no answer in a run
 * that no longer waits (ended, cancelled, in review) is cancelled, as its record says; one the
 * page's action bar holds (`inBar`) is answered there.
 */
export function RunFeed({ items, runStatus, inBar }: { items: FeedItem[]; runStatus: RunStatus; inBar: ReadonlySet<string> }) {
  const closed = !canTakeInput(runStatus);
  const resolutions = new Map<string, RunEventOf<"input.resolved">>();
  const asked = new Set<string>();
  for (const item of items) {
    if (item.kind === "event" && item.event.type === "input.resolved") resolutions.set(item.event.requestId, item.event);
    if (item.kind === "event" && item.event.type === "input.requested") asked.add(item.event.requestId);
  }
  return (
    <ol data-testid="run-feed">
      {items.map((item) => {
        if (item.kind === "tool") return <ToolStep key={item.key} item={item} />;
        if (item.kind === "environment") return <EnvironmentStep key={item.key} item={item} />;
        if (item.kind === "check") return <CheckStep key={item.key} item={item} />;
        if (item.kind === "text") {
          return (
            <FeedRow key={item.key} icon={icons.chat} tone="accent" at={item.at} type="assistant.text">
              <AssistantText text={item.text} />
            </FeedRow>
          );
        }
        if (item.event.type === "input.requested") {
          return (
            <InputRequestCard
              key={item.key}
              event={item.event}
              resolution={resolutions.get(item.event.requestId)}
              closed={closed}
              inBar={inBar.has(item.event.requestId)}
            />
          );
        }
        // Its request's card says who answered: once is enough.
        if (item.event.type === "input.resolved" && asked.has(item.event.requestId)) return null;
        return <EventEntry key={item.key} event={item.event} />;
      })}
    </ol>
  );
}
