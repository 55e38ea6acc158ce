"use client";

import { channelLooks, LiveDot, type LiveTone } from "../live/LiveStatus";
import { useLiveChannel } from "../live/useLiveChannel";
import type { StreamState } from "../feed/useRunEvents";

const looks: Record<StreamState, { label: string; tone: LiveTone }> = {
  connecting: { label: "Connecting…", tone: "waiting" },
  live: { label: "Live", tone: "live" },
  reconnecting: { label: "Reconnecting…", tone: "trouble" },
  ended: { label: "Up to date", tone: "idle" },
  failed: { label: "Disconnected: reload the page", tone: "down" },
};

/**
 * The run feed's connection. "Live" only while the feed is open and the tab's live channel is
 * connected too: both hang on the server's Redis, and the feed's own connection can look open
 * while the server has nothing to read (it opens, says "interrupted" and closes, over and
 * over), so the channel's "Reconnecting…" or "Offline — updates paused" wins then.
 */
export function StreamIndicator({ state }: { state: StreamState }) {
  const channel = useLiveChannel().state;
  const followsChannel = state !== "ended" && state !== "failed" && (channel === "reconnecting" || channel === "offline");
  const look = followsChannel ? channelLooks[channel] : looks[state];
  const shown = followsChannel ? channel : state;
  return (
    <span data-stream-state={shown}>
      <LiveDot tone={look.tone} label={look.label} state={shown} />
    </span>
  );
}
