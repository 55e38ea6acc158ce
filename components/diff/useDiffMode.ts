"use client";

import { useCallback, useSyncExternalStore } from "react";

export type DiffMode = "unified" | "split";

// Remembered per browser, shared by every diff on every page (and across tabs).
const KEY = "agentdesk.diffMode";
const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener("storage", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", listener);
  };
}

const read = (): DiffMode => (window.localStorage.getItem(KEY) === "split" ? "split" : "unified");

/** The unified/split choice, remembered in localStorage; unified on the server (no storage there). */
export function useDiffMode(): [DiffMode, (mode: DiffMode) => void] {
  const mode = useSyncExternalStore(subscribe, read, () => "unified" as const);
  const set = useCallback((next: DiffMode) => {
    window.localStorage.setItem(KEY, next);
    for (const l of listeners) l();
  }, []);
  return [mode, set];
}
