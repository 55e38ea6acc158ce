"use client";

import { useEffect, useState } from "react";

// A navigation that has not arrived by then has failed or been abandoned: stop saying "loading".
const GIVE_UP_MS = 20_000;
const CHECK_MS = 100;

const currentAddress = () => window.location.pathname + window.location.search;

/** Whether a click on `event` starts a client navigation to another same-site page (not a new tab, a download, another site, the same page). */
function startsNavigation(event: MouseEvent): boolean {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return false;
  const anchor = (event.target as Element | null)?.closest?.("a[href]");
  if (!(anchor instanceof HTMLAnchorElement)) return false;
  if ((anchor.target && anchor.target !== "_self") || anchor.hasAttribute("download")) return false;
  const to = new URL(anchor.href, window.location.href);
  // Only the fragment changes: the browser scrolls, nothing loads.
  return to.origin === window.location.origin && to.pathname + to.search !== currentAddress();
}

/**
 * A thin bar at the top of the window from the click on a link until the new page is shown:
 * pages here render on the server per request, and without it the old page just sits there
 * for a second or more as if the click was lost. It watches clicks on any same-site link (the
 * nav, run rows, buttons that are links) and the address the router commits, so no link has to
 * opt in. The document is marked aria-busy meanwhile.
 */
export function NavigationProgress() {
  // The address the click was made on: the wait ends when the address is another one (the
  // page asked for, or wherever it redirected to).
  const [from, setFrom] = useState<string | null>(null);

  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      if (startsNavigation(event)) setFrom(currentAddress());
    };
    // Capture phase: Next's Link calls preventDefault in its own handler, after this one.
    document.addEventListener("click", onClick, true);
    return () => document.removeEventListener("click", onClick, true);
  }, []);

  useEffect(() => {
    if (from === null) return;
    document.documentElement.setAttribute("aria-busy", "true");
    const started = Date.now();
    const timer = setInterval(() => {
      if (currentAddress() !== from || Date.now() - started > GIVE_UP_MS) setFrom(null);
    }, CHECK_MS);
    // Back or forward instead: that navigation is the one that counts now.
    const onPop = () => setFrom(null);
    window.addEventListener("popstate", onPop);
    return () => {
      clearInterval(timer);
      window.removeEventListener("popstate", onPop);
      document.documentElement.removeAttribute("aria-busy");
    };
  }, [from]);

  if (from === null) return null;
  return (
    <div data-testid="navigation-progress" aria-hidden="true" className="pointer-events-none fixed inset-x-0 top-0 z-50 h-0.5 overflow-hidden bg-indigo-500/20">
      <div className="nav-progress h-full w-1/3 bg-indigo-500" />
    </div>
  );
}
