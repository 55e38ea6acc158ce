"use client";

import { useEffect, useEffectEvent, useState } from "react";
import { endsStream, eventTypes, type RunEvent } from "@/lib/events";

export type StreamState = "connecting" | "live" | "reconnecting" | "ended" | "failed";

type Received = { id: string; event: RunEvent };

/**
 * Follows a run's events over SSE. The browser's EventSource resumes with Last-Event-ID by
 * itself after a drop; we close it after the event that ends the run's job, since the server
 * ends the stream there and a reconnect would only wait. Events arriving together are
 * handed over in one batch per animation frame, so a chatty command does not render per line.
 */
export function useRunEvents(runId: string, onBatch: (batch: Received[]) => void): { state: StreamState; notice: string | null } {
  const [state, setState] = useState<StreamState>("connecting");
  const [notice, setNotice] = useState<string | null>(null);
  const deliver = useEffectEvent(onBatch);

  useEffect(() => {
    const source = new EventSource(`/api/runs/${runId}/events`);
    let buffer: Received[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      const batch = buffer;
      buffer = [];
      if (batch.length) deliver(batch);
    };
    const receive = (message: MessageEvent<string>) => {
      let event: RunEvent;
      try {
        event = JSON.parse(message.data) as RunEvent;
      } catch (err) {
        console.error("unreadable run event", message.data, err);
        return;
      }
      buffer.push({ id: message.lastEventId, event });
      if (!frame) frame = requestAnimationFrame(flush);
      if (endsStream(event)) {
        source.close();
        setState("ended");
      }
    };
    source.onopen = () => {
      setState("live");
      setNotice(null);
    };
    for (const type of eventTypes) source.addEventListener(type, receive);
    source.addEventListener("error", (e) => {
      // A named "error" message is the server saying its side broke; a plain Event is the connection.
      if (e instanceof MessageEvent) {
        setNotice("The event stream was interrupted; reconnecting…");
        return;
      }
      if (source.readyState === EventSource.CLOSED) {
        setState((s) => (s === "ended" ? s : "failed"));
      } else {
        setState((s) => (s === "ended" ? s : "reconnecting"));
      }
    });
    return () => {
      source.close();
      if (frame) cancelAnimationFrame(frame);
      flush();
    };
  }, [runId]);

  return { state, notice };
}
