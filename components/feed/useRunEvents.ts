"use client";

import { useEffect, useEffectEvent, useRef, useState } from "react";
import { endsStream, eventTypes, type RunEvent } from "@/lib/events";

export type StreamState = "connecting" | "live" | "reconnecting" | "ended" | "failed";

type Received = { id: string; event: RunEvent };

/**
 * Follows a run's events over SSE. The browser's EventSource resumes with Last-Event-ID by
 * itself after a drop; we close it after the event that ends the run's job, since the server
 * ends the stream there and a reconnect would only wait; a new `generation` (a review decision
 * started new activity) opens it again after the last event seen. Events arriving together are
 * handed over in one batch per animation frame, so a chatty command does not render per line.
 */
export function useRunEvents(
  runId: string,
  onBatch: (batch: Received[]) => void,
  generation = 0,
): { state: StreamState; notice: string | null } {
  const [state, setState] = useState<StreamState>("connecting");
  const [notice, setNotice] = useState<string | null>(null);
  const deliver = useEffectEvent(onBatch);
  // The last event received, so a stream opened again (after a review decision) goes on from there.
  const lastId = useRef<string | null>(null);

  useEffect(() => {
    const after = lastId.current ? `?after=${encodeURIComponent(lastId.current)}` : "";
    const source = new EventSource(`/api/runs/${runId}/events${after}`);
    let buffer: Received[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      const batch = buffer;
      buffer = [];
      if (!batch.length) return;
      lastId.current = batch[batch.length - 1]!.id;
      deliver(batch);
      // Only the last of a replayed batch decides: a pushed run's replay holds
      // run.awaiting_review, then the push's events.
      if (endsStream(batch[batch.length - 1]!.event)) {
        source.close();
        setState("ended");
      }
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
  }, [runId, generation]);

  return { state, notice };
}
