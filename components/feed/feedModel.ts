import type { RunEvent, RunEventOf } from "@/lib/events";

/**
 * One thing the feed shows. A tool call gathers its start, its output and its end; so does the
 * environment step (its `stepId` is the `callId` of its output).
 */
export type FeedItem =
  | {
      kind: "tool";
      key: string;
      callId: string;
      started?: RunEventOf<"tool.started">;
      finished?: RunEventOf<"tool.finished">;
      output: RunEventOf<"log">[];
    }
  | {
      kind: "environment";
      key: string;
      stepId: string;
      started: RunEventOf<"environment.started">;
      finished?: RunEventOf<"environment.finished">;
      /** The script's output and the step's own notes, in order. */
      output: RunEventOf<"log">[];
    }
  | {
      kind: "check";
      key: string;
      checkId: string;
      started: RunEventOf<"check.started">;
      finished?: RunEventOf<"check.finished">;
      /** The check's output, in order (its `log` events). */
      output: RunEventOf<"log">[];
    }
  | { kind: "text"; key: string; messageId?: string; text: string; at: string }
  | { kind: "event"; key: string; event: RunEvent };

/** `toolIndex`: where each tool call's (or environment step's) item is, by its call or step id. */
export type Feed = { items: FeedItem[]; toolIndex: Map<string, number>; seen: Set<string> };

export const emptyFeed = (): Feed => ({ items: [], toolIndex: new Map(), seen: new Set() });

/**
 * Adds a batch of events (each with its stream id) to the feed. Events already seen (a
 * reconnect replaying an overlap) are skipped. Copies only what it changes, so a long run's
 * feed is not rebuilt on every line of output.
 */
export function appendToFeed(feed: Feed, batch: { id: string; event: RunEvent }[]): Feed {
  const items = feed.items.slice();
  const toolIndex = new Map(feed.toolIndex);
  const seen = new Set(feed.seen);

  // The environment step or a repository check: a step with a start event its output joins.
  const step = (stepId: string) => {
    const index = toolIndex.get(stepId);
    const item = index === undefined ? undefined : items[index];
    if (index === undefined || (item?.kind !== "environment" && item?.kind !== "check")) return null;
    const copy = { ...item };
    items[index] = copy;
    return copy;
  };
  const environment = (stepId: string) => {
    const found = step(stepId);
    return found?.kind === "environment" ? found : null;
  };
  const tool = (callId: string, key: string) => {
    let index = toolIndex.get(callId);
    if (index === undefined) {
      index = items.length;
      toolIndex.set(callId, index);
      items.push({ kind: "tool", key, callId, output: [] });
    }
    const item = items[index] as Extract<FeedItem, { kind: "tool" }>;
    const copy = { ...item };
    items[index] = copy;
    return copy;
  };

  for (const { id, event } of batch) {
    if (seen.has(id)) continue;
    seen.add(id);
    switch (event.type) {
      case "tool.started":
        tool(event.callId, id).started = event;
        break;
      case "tool.finished":
        tool(event.callId, id).finished = event;
        break;
      case "environment.started":
        toolIndex.set(event.stepId, items.length);
        items.push({ kind: "environment", key: id, stepId: event.stepId, started: event, output: [] });
        break;
      case "environment.finished": {
        const step = environment(event.stepId);
        if (step) step.finished = event;
        else items.push({ kind: "event", key: id, event });
        break;
      }
      case "check.started":
        toolIndex.set(event.checkId, items.length);
        items.push({ kind: "check", key: id, checkId: event.checkId, started: event, output: [] });
        break;
      case "check.finished": {
        const check = step(event.checkId);
        if (check?.kind === "check") check.finished = event;
        else items.push({ kind: "event", key: id, event });
        break;
      }
      case "log": {
        const owner = event.callId ? step(event.callId) : null;
        if (owner) {
          owner.output = [...owner.output, event];
        } else if (event.callId) {
          const item = tool(event.callId, id);
          item.output = [...item.output, event];
        } else {
          items.push({ kind: "event", key: id, event });
        }
        break;
      }
      case "assistant.text": {
        const last = items[items.length - 1];
        // Streaming text arrives in pieces of one message: they read as one block.
        if (last?.kind === "text" && event.messageId && last.messageId === event.messageId) {
          items[items.length - 1] = { ...last, text: last.text + event.text };
        } else {
          items.push({ kind: "text", key: id, messageId: event.messageId, text: event.text, at: event.at });
        }
        break;
      }
      case "usage":
        // A running total after every turn: the run's usage summary shows it, not a row per turn.
        break;
      case "agent.plan": {
        const last = items[items.length - 1];
        // A plan is sent whole each time: a newer one replaces the one just before it.
        if (last?.kind === "event" && last.event.type === event.type) items[items.length - 1] = { ...last, event };
        else items.push({ kind: "event", key: id, event });
        break;
      }
      default:
        items.push({ kind: "event", key: id, event });
    }
  }
  return { items, toolIndex, seen };
}
