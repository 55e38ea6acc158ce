"use client";

import { createContext, useEffect, useMemo, useRef, useState } from "react";
import { liveChannelEvents, runChange, type RunChange } from "@/lib/contracts/runChanges";

/**
 * connecting: the first connection is being made; connected: changes arrive as they happen;
 * reconnecting: the connection dropped and the browser is getting it back (what is shown may
 * be stale until then).
 */
export type LiveChannelState = "connecting" | "connected" | "reconnecting";

/** What subscribers hear: one run change, or "refetch everything" (changes may have been missed). */
export type LiveSignal = { type: "change"; change: RunChange } | { type: "resync" };
export type LiveListener = (signal: LiveSignal) => void;

export type LiveChannel = { state: LiveChannelState; subscribe: (listener: LiveListener) => () => void };

export const LiveChannelContext = createContext<LiveChannel | null>(null);

// After the server refused the channel outright (EventSource gives up on a non-SSE answer, a
// 503 while Redis is down), a new one is opened this much later, doubling up to the maximum.
const REOPEN_FIRST_MS = 1_000;
const REOPEN_MAX_MS = 30_000;

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
        reopenDelay = REOPEN_FIRST_MS;
        setState("connected");
      });
      es.addEventListener(liveChannelEvents.resync, (event) => {
        remember(event as MessageEvent);
        reopenDelay = REOPEN_FIRST_MS;
        setState("connected");
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
      es.onerror = () => {
        if (stopped) return;
        setState("reconnecting");
        if (es.readyState !== EventSource.CLOSED) return; // the browser retries by itself
        es.close();
        reopenTimer = setTimeout(open, reopenDelay);
        reopenDelay = Math.min(reopenDelay * 2, REOPEN_MAX_MS);
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(reopenTimer);
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
