"use client";

import { cx } from "../ui/cx";
import type { LiveChannelState } from "./LiveChannelProvider";
import { useLiveChannel } from "./useLiveChannel";

export type LiveTone = "live" | "waiting" | "trouble" | "down" | "idle";

const dots: Record<LiveTone, string> = {
  live: "bg-emerald-400 animate-pulse",
  waiting: "bg-zinc-500",
  trouble: "bg-amber-400 animate-pulse",
  down: "bg-red-500",
  idle: "bg-zinc-500",
};

/** A connection's state as a coloured dot and words; `state` goes to data-live-state for tests. */
export function LiveDot({ tone, label, state }: { tone: LiveTone; label: string; state: string }) {
  return (
    <span data-live-state={state} role="status" className="inline-flex items-center gap-1.5 text-xs text-zinc-400">
      <span aria-hidden="true" className={cx("h-1.5 w-1.5 shrink-0 rounded-full", dots[tone])} />
      {label}
    </span>
  );
}

/** What the tab's live channel means for a page: green only while changes really arrive. */
export const channelLooks: Record<LiveChannelState, { tone: LiveTone; label: string }> = {
  connecting: { tone: "waiting", label: "Connecting…" },
  connected: { tone: "live", label: "Updates live" },
  reconnecting: { tone: "trouble", label: "Reconnecting…" },
  offline: { tone: "down", label: "Offline — updates paused" },
};

/**
 * The tab's live channel state, for a page that keeps itself up to date through it (the runs
 * list, the inbox): it says "Updates live" only while the channel is connected, and
 * "Reconnecting…" or "Offline — updates paused" when it or the server's Redis is down.
 */
export function LiveStatus() {
  const { state } = useLiveChannel();
  const look = channelLooks[state];
  return <LiveDot tone={look.tone} label={look.label} state={state} />;
}
