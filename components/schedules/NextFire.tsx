"use client";

import { absoluteTime } from "../format";

/** A future moment as a date and time: "in 3 min" style wording only fits the past. */
export function NextFire({ iso }: { iso: string }) {
  return (
    // Server and browser disagree on the time zone; the browser's view wins.
    <time dateTime={iso} suppressHydrationWarning>
      {absoluteTime(iso)}
    </time>
  );
}
