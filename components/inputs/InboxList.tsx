"use client";

import Link from "next/link";
import type { InboxItem } from "@/lib/services/inputs";
import { EmptyState } from "../ui/EmptyState";
import { Time } from "../ui/Time";
import { cardClass, linkClass } from "../ui/styles";
import { RequestPanel } from "./RequestPanel";
import { inboxKey, usePendingInputs } from "./usePendingInputs";

/** Every open request of the user's runs, oldest first, each answerable in place; kept live. */
export function InboxList({ initial }: { initial: InboxItem[] }) {
  const { items, error } = usePendingInputs(initial);
  const shown = items ?? initial;
  return (
    <div className="space-y-4">
      {error && <p className="rounded-lg border border-amber-900/60 bg-amber-950/40 px-3 py-2 text-sm text-amber-200">{error}</p>}
      {shown.length === 0 ? (
        <EmptyState title="Nothing waits for you">Approval requests and questions from your runs show up here as they arrive.</EmptyState>
      ) : (
        <ul data-testid="inbox-list" className="space-y-4">
          {shown.map((item) => (
            <li key={inboxKey(item)} data-inbox-item={inboxKey(item)} className={`${cardClass} space-y-3 p-4`}>
              <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
                <Link href={`/runs/${item.runId}`} className={`${linkClass} min-w-0 break-words`}>
                  {item.runTitle}
                </Link>
                <p className="text-xs text-zinc-400">
                  <span className="font-mono">{item.repo}</span> · asked <Time iso={item.at} />
                </p>
              </div>
              <RequestPanel request={item} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
