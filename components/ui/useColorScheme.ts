"use client";

import { useSyncExternalStore } from "react";

const QUERY = "(prefers-color-scheme: light)";

function subscribe(onChange: () => void): () => void {
  const media = window.matchMedia(QUERY);
  media.addEventListener("change", onChange);
  return () => media.removeEventListener("change", onChange);
}

/**
 * The system's colour scheme, which the app's theme follows (app/globals.css), for the few
 * widgets that take their palette as a prop instead of from CSS (the diff viewer). The server
 * render assumes dark, the app's original theme; the client corrects it on hydration.
 */
export function useColorScheme(): "light" | "dark" {
  return useSyncExternalStore(
    subscribe,
    () => (window.matchMedia(QUERY).matches ? "light" : "dark"),
    () => "dark",
  );
}
