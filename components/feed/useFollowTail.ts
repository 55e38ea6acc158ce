"use client";

import { useCallback, useEffect, useLayoutEffect, useReducer, useRef } from "react";
import { initialTail, nextTail } from "./tailCount";

// The feed's end within this many pixels below the window's bottom counts as "at the end".
const AT_END_PX = 48;

const endInView = (el: HTMLElement | null, steps: number) => el !== null && steps > 0 && el.getBoundingClientRect().top <= window.innerHeight + AT_END_PX;

/**
 * Follows the end of a growing feed in the window's scroll, as a terminal does: while the
 * feed's end is in view, each change to `items` scrolls it back into view; once the person
 * scrolls away it stays put and counts the steps that arrived since (`newSteps`, see
 * tailCount.ts); `jump()` goes back to the end and follows again. The first steps (the replay
 * when the page opens) never move the page: it opens at the top, where what waits for the
 * person is.
 */
export function useFollowTail(items: readonly unknown[]) {
  const end = useRef<HTMLDivElement>(null);
  const following = useRef(false);
  const seenCount = useRef(items.length);
  const [tail, dispatch] = useReducer(nextTail, initialTail);

  const measure = useCallback(() => {
    const inView = endInView(end.current, seenCount.current);
    following.current = inView;
    dispatch({ kind: "measured", endInView: inView });
  }, []);

  useEffect(() => {
    window.addEventListener("scroll", measure, { passive: true });
    window.addEventListener("resize", measure);
    return () => {
      window.removeEventListener("scroll", measure);
      window.removeEventListener("resize", measure);
    };
  }, [measure]);

  // After the feed changed, before the browser paints: keep its end in view while following,
  // else count the steps that are new.
  useLayoutEffect(() => {
    const before = seenCount.current;
    seenCount.current = items.length;
    if (before === 0) {
      measure();
      return;
    }
    if (following.current) {
      end.current?.scrollIntoView({ block: "end" });
      return;
    }
    dispatch({ kind: "grew", added: items.length - before });
  }, [items, measure]);

  const jump = useCallback(() => {
    following.current = true;
    // Instant: a smooth scroll would pass through "not at the end" and stop following.
    end.current?.scrollIntoView({ block: "end" });
    dispatch({ kind: "jumped" });
  }, []);

  return { endRef: end, following: tail.following, newSteps: tail.newSteps, jump };
}
