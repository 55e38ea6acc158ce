"use client";

import { useEffect, useRef } from "react";

/**
 * Calls `tick` every `intervalMs` while the tab is visible (and once on becoming visible
 * again), never two at once. Errors are reported to `onError` and polling carries on.
 */
export function usePolling(tick: () => Promise<void>, intervalMs: number, onError: (err: unknown) => void) {
  const latest = useRef({ tick, onError });
  useEffect(() => {
    latest.current = { tick, onError };
  });
  useEffect(() => {
    let running = false;
    const run = async () => {
      if (running || document.visibilityState !== "visible") return;
      running = true;
      try {
        await latest.current.tick();
      } catch (err) {
        latest.current.onError(err);
      } finally {
        running = false;
      }
    };
    const timer = setInterval(run, intervalMs);
    document.addEventListener("visibilitychange", run);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", run);
    };
  }, [intervalMs]);
}
