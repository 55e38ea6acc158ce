"use client";

import { useEffect, useRef, useState } from "react";
import type { InboxItem } from "@/lib/services/inputs";
import { fetchJson } from "../runs/fetchJson";

const POLL_MS = 3_000;

/**
 * The signed-in user's open requests, re-read every few seconds from GET /api/inputs (the same
 * API scripts use). Keeps polling in a background tab too (browsers slow it down there), since
 * that is where a notification is most useful.
 */
export function usePendingInputs(initial: InboxItem[] | null = null) {
  const [items, setItems] = useState<InboxItem[] | null>(initial);
  const [error, setError] = useState<string | null>(null);
  const running = useRef(false);

  useEffect(() => {
    const controller = new AbortController();
    const poll = async () => {
      if (running.current) return;
      running.current = true;
      try {
        const { inputs } = await fetchJson<{ inputs: InboxItem[] }>("/api/inputs", controller.signal);
        setItems(inputs);
        setError(null);
      } catch (err) {
        if (!controller.signal.aborted) setError(`Live updates paused: ${(err as Error).message}`);
      } finally {
        running.current = false;
      }
    };
    void poll();
    const timer = setInterval(poll, POLL_MS);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, []);

  return { items, error };
}

export const inboxKey = (item: Pick<InboxItem, "runId" | "requestId">) => `${item.runId}/${item.requestId}`;
