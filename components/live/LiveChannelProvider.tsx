"use client";

import { createContext, useEffect, useMemo, useRef, useState } from "react";
import { liveChannelEvents, runChange, type RunChange } from "@/lib/contracts/runChanges";

/**
 * connecting: the first connection is being made; connected: changes arrive as they happen;
 * reconnecting: the connection dropped (or the server said its side, Redis, broke) and the
 * browser is getting it back: what is shown may be stale until then; offline: that has not
 * worked for a while, or the browser itself is offline: updates are paused.
 */
export type LiveChannelState = "connecting" | "connected" | "reconnecting" | "offline";

/** What subscribers hear: one run change, or "refetch everything" (changes may have been missed). */
export type LiveSignal = { type: "change"; change: RunChange } | { type: "resync" };
export type LiveListener = (signal: LiveSignal) => void;

export type LiveChannel = { state: LiveChannelState; subscribe: (listener: LiveListener) => () => void };

export const LiveChannelContext = createContext<LiveChannel | null>(null);

// After the server refused the channel outright (EventSource gives up on a non-SSE answer, a
// 503 while Redis is down), a new one is opened this much later, doubling up to the maximum.
const REOPEN_FIRST_MS = 1_000;
const REOPEN_MAX_MS = 30_000;
// A channel not back after this long is called offline rather than "reconnecting": a Redis
// outage or a lost network, not a blip, so the page says its updates are paused.
const OFFLINE_AFTER_MS = 5_000;

/**
 * The tab's one live channel (GET /api/events, lib/server/userChannelStream.ts), mounted once
 * in the signed-in layout; components subscribe through useLiveChannel. The browser's
 * EventSource resumes by Last-Event-ID on its own; when it gives up, a new one resumes with
 * `?after=` the last id seen. It keeps running in a background tab, where a notification
 * about an approval matters most.
 */
export function LiveChannelProvider({ children }: { children: React.ReactNode }) {
  const [state, setState] = useState<LiveChannelState>("connecting");
  const listeners = useRef(new Set<LiveListener>());

  useEffect(() => {
    let source: EventSource | null = null;
    let lastId = "";
    let reopenDelay = REOPEN_FIRST_MS;
    let reopenTimer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let offlineTimer: ReturnType<typeof setTimeout> | undefined;
    const connected = () => {
      clearTimeout(offlineTimer);
      offlineTimer = undefined;
      reopenDelay = REOPEN_FIRST_MS;
      setState("connected");
    };
    const lost = () => {
      if (!navigator.onLine) {
        setState("offline");
        return;
      }
      setState((s) => (s === "offline" ? s : "reconnecting"));
      offlineTimer ??= setTimeout(() => setState("offline"), OFFLINE_AFTER_MS);
    };
    const tell = (signal: LiveSignal) => {
      for (const listener of [...listeners.current]) listener(signal);
    };
    const remember = (event: MessageEvent) => {
      if (event.lastEventId) lastId = event.lastEventId;
    };

    const open = () => {
      const es = (source = new EventSource(lastId ? `/api/events?after=${encodeURIComponent(lastId)}` : "/api/events"));
      es.addEventListener(liveChannelEvents.ready, (event) => {
        remember(event as MessageEvent);
        connected();
      });
      es.addEventListener(liveChannelEvents.resync, (event) => {
        remember(event as MessageEvent);
        connected();
        tell({ type: "resync" });
      });
      es.addEventListener(liveChannelEvents.change, (event) => {
        const message = event as MessageEvent<string>;
        remember(message);
        const parsed = runChange.safeParse(safeJson(message.data));
        if (parsed.success) tell({ type: "change", change: parsed.data });
        // A change this page cannot read: refetching everything is the safe way to stay true.
        else {
          console.warn("[live] a run change this page does not understand; refetching", parsed.error.issues);
          tell({ type: "resync" });
        }
      });
      // Both a dropped connection and the server's own "error" message (its Redis is not
      // answering; it closes the channel next) land here.
      es.onerror = () => {
        if (stopped) return;
        lost();
        if (es.readyState !== EventSource.CLOSED) return; // the browser retries by itself
        es.close();
        reopenTimer = setTimeout(open, reopenDelay);
        reopenDelay = Math.min(reopenDelay * 2, REOPEN_MAX_MS);
      };
    };
    // The browser knows first when the network is gone; when it is back, a new channel
    // (resuming after the last id) says at once whether all is well, instead of the old one
    // that may have died unnoticed.
    const wentOffline = () => lost();
    const cameOnline = () => {
      clearTimeout(reopenTimer);
      source?.close();
      reopenDelay = REOPEN_FIRST_MS;
      open();
    };
    window.addEventListener("offline", wentOffline);
    window.addEventListener("online", cameOnline);
    open();
    return () => {
      stopped = true;
      clearTimeout(reopenTimer);
      clearTimeout(offlineTimer);
      window.removeEventListener("offline", wentOffline);
      window.removeEventListener("online", cameOnline);
      source?.close();
    };
  }, []);

  const channel = useMemo<LiveChannel>(
    () => ({
      state,
      subscribe: (listener) => {
        listeners.current.add(listener);
        return () => void listeners.current.delete(listener);
      },
    }),
    [state],
  );
  return <LiveChannelContext.Provider value={channel}>{children}</LiveChannelContext.Provider>;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
