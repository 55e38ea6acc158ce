"use client";

import { useEffect, useState } from "react";

/**
 * The height of the app's sticky top bar (the nav), kept current as it wraps on a narrow
 * screen: what sticks below it uses this as its `top`. `fallback` until measured.
 */
export function useStickyTop(fallback: number): number {
  const [top, setTop] = useState(fallback);
  useEffect(() => {
    // The first header of the page is the nav; it only counts while it sticks to the top.
    const nav = document.querySelector("header");
    if (!nav) return;
    const read = () => {
      const style = getComputedStyle(nav);
      setTop(style.position === "sticky" || style.position === "fixed" ? nav.getBoundingClientRect().height : 0);
    };
    read();
    const observer = new ResizeObserver(read);
    observer.observe(nav);
    return () => observer.disconnect();
  }, []);
  return top;
}
