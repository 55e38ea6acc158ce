"use client";

import { useRouter } from "next/navigation";
import { useLiveChannel } from "../live/useLiveChannel";

/**
 * On the empty runs page: when the first run the user may see is created (in another tab, by
 * a schedule, through the API), the page renders again and shows the live list instead.
 */
export function ShowFirstRun() {
  const router = useRouter();
  useLiveChannel((signal) => {
    if (signal.type === "change" && signal.change.kind === "created") router.refresh();
  });
  return null;
}
