"use client";

import { useContext, useEffect, useRef } from "react";
import { LiveChannelContext, type LiveChannelState, type LiveListener } from "./LiveChannelProvider";

/**
 * The tab's live channel: its connection state, and `listener` called with every run change
 * the user may see and with "resync" (refetch everything). The latest listener is always the
 * one called, so it may close over fresh state without resubscribing.
 */
export function useLiveChannel(listener?: LiveListener): { state: LiveChannelState } {
  const channel = useContext(LiveChannelContext);
  if (!channel) throw new Error("useLiveChannel needs a LiveChannelProvider above it (app/(app)/layout.tsx)");
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  const { subscribe } = channel;
  useEffect(() => subscribe((signal) => latest.current?.(signal)), [subscribe]);
  return { state: channel.state };
}

/** The message a list shows while its live updates cannot be trusted, or null. */
export function livePausedMessage(state: LiveChannelState, fetchError: string | null): string | null {
  if (fetchError) return `Live updates paused: ${fetchError}`;
  if (state === "reconnecting") return "Live updates paused: reconnecting to the server…";
  if (state === "offline") return "Offline — updates paused until the server can be reached again.";
  return null;
}
