"use client";

import { absoluteTime, timeAgo } from "../format";
import { useNow } from "./useNow";

/** "3 min ago", with the exact time on hover. */
export function Time({ iso, className }: { iso: string; className?: string }) {
  const now = useNow();
  return (
    // Server and browser disagree on "now" and on the time zone; the browser's view wins.
    <time dateTime={iso} title={absoluteTime(iso)} className={className} suppressHydrationWarning>
      {timeAgo(iso, now)}
    </time>
  );
}
