"use client";

import { useEffect } from "react";

const COUNT_PREFIX = /^\(\d+\) /;

/**
 * Puts "(n) " before the tab's title while n requests wait. Next.js sets the title on every
 * navigation, so the prefix is put back whenever the title changes.
 */
export function useTitleCount(count: number): void {
  useEffect(() => {
    const apply = () => {
      const bare = document.title.replace(COUNT_PREFIX, "");
      const wanted = count > 0 ? `(${count}) ${bare}` : bare;
      if (document.title !== wanted) document.title = wanted;
    };
    apply();
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => {
      observer.disconnect();
      document.title = document.title.replace(COUNT_PREFIX, "");
    };
  }, [count]);
}
