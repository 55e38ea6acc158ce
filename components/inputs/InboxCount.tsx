"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { notifyNewRequest } from "./notify";
import { useTitleCount } from "./tabTitle";
import { inboxKey, usePendingInputs } from "./usePendingInputs";

/**
 * The nav's live count of open requests. Also owns the tab title's "(n)" and the browser
 * notification for a request that arrives while any page of the app is open.
 */
export function InboxCount() {
  const { items } = usePendingInputs();
  const count = items?.length ?? 0;
  const known = useRef<Set<string> | null>(null);
  const router = useRouter();
  useTitleCount(count);

  useEffect(() => {
    if (!items) return;
    const keys = new Set(items.map(inboxKey));
    // The first reading is what already waited when the page opened: no notification for those.
    if (known.current) for (const item of items) if (!known.current.has(inboxKey(item))) notifyNewRequest(item, (path) => router.push(path));
    known.current = keys;
  }, [items, router]);

  if (!count) return null;
  return (
    <span
      data-testid="inbox-count"
      aria-label={`${count} waiting`}
      className="ml-1.5 inline-flex min-w-5 items-center justify-center rounded-full bg-amber-500 px-1.5 text-[11px] leading-5 font-semibold text-ink"
    >
      {count}
    </span>
  );
}
