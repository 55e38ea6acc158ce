"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import useSWR from "swr";
import type { RunChange } from "@/lib/contracts/runChanges";
import { useCoalescedRefresh } from "../live/useCoalescedRefresh";
import { livePausedMessage, useLiveChannel } from "../live/useLiveChannel";
import { buttonClass, cardClass, linkClass } from "../ui/styles";
import { useNow } from "../ui/useNow";
import { fetchJson } from "./fetchJson";
import { RunRow, runGrid } from "./RunRow";
import { hasRunFilters, runFilterSearch, type RunFilterValues } from "./runFilterUrl";
import type { RunsPage } from "./runTypes";

const PAGE_SIZE = 25;
// The API's largest page: past it, older runs are a link of their own (?cursor=).
const MAX_LIMIT = 200;

const runsUrl = (filters: RunFilterValues, limit: number, cursor?: string) =>
  `/api/runs?${runFilterSearch(filters, { limit: String(limit), cursor })}`;

/** Whether a change can alter what the list shows: a run in it, a new run, or one entering its filter. */
function concernsList(change: RunChange, page: RunsPage, filters: RunFilterValues): boolean {
  if (page.runs.some((r) => r.id === change.runId)) return true;
  // A new run may match the search and filters: only the server can say.
  if (change.kind === "created") return true;
  if (filters.status) return change.status === filters.status;
  if (filters.needsMe) return change.kind === "input" || change.status === "awaiting_review";
  return false;
}

/**
 * The runs list, with the page's search and filters, fetched and cached by SWR from the same
 * API scripts use and kept live by the tab's live channel (no polling): when a run it shows
 * changes, a run is created, or a run takes the status it filters by, the rows shown are read
 * again in one request (a burst of changes costing one); nothing is read while nothing
 * changes. "Load more" widens the same request, up to 200 rows; older runs are a page of their
 * own (a link with the cursor).
 */
export function RunsList({
  initial,
  filters,
  cursor,
  showOwner,
}: {
  initial: RunsPage;
  filters: RunFilterValues;
  cursor?: string;
  showOwner: boolean;
}) {
  const [limit, setLimit] = useState(PAGE_SIZE);
  const key = runsUrl(filters, limit, cursor);
  const { data, error, mutate, isLoading } = useSWR<RunsPage>(key, fetchJson, {
    // The server rendered the first page: shown at once, read again only when something changes.
    fallbackData: limit === PAGE_SIZE ? initial : undefined,
    revalidateOnMount: false,
    revalidateOnFocus: false,
    revalidateOnReconnect: false,
    keepPreviousData: true,
  });
  const page = data ?? initial;
  const now = useNow(1000);

  const refresh = useCoalescedRefresh(async () => {
    await mutate();
  });
  const { state } = useLiveChannel((signal) => {
    if (signal.type === "resync" || concernsList(signal.change, page, filters)) refresh();
  });
  const fetchError = error ? (error as Error).message : null;
  const message = livePausedMessage(state, fetchError);
  // Mounted by a navigation while the channel was already up: a change between the server's
  // reading and this subscription would be missed, so read once more. (On a page load the
  // channel's first `resync` does it.)
  const connectedAtMount = useRef(state === "connected");
  useEffect(() => {
    if (connectedAtMount.current) refresh();
  }, [refresh]);

  const filtered = hasRunFilters(filters);
  const olderHref = page.nextCursor ? `/?${runFilterSearch(filters, { cursor: page.nextCursor })}` : null;
  return (
    <div className="space-y-4">
      {message && <p className="rounded-lg border border-amber-900/60 bg-amber-950/40 px-3 py-2 text-sm text-amber-200">{message}</p>}
      {cursor && (
        <p className="text-sm text-zinc-400">
          Older runs.{" "}
          <Link href={filtered ? `/?${runFilterSearch(filters)}` : "/"} className={linkClass}>
            Back to the newest
          </Link>
        </p>
      )}
      <div className={`${cardClass} overflow-hidden`}>
        <div className={`${runGrid} hidden border-b border-zinc-800 bg-zinc-900 px-5 py-2 text-xs font-medium uppercase tracking-wide text-zinc-500`}>
          <span>Status</span>
          <span>Task</span>
          <span>Created</span>
          <span>Duration</span>
          <span className="text-right">Usage</span>
        </div>
        {page.runs.length ? (
          <ul data-testid="runs-list" aria-busy={isLoading}>
            {page.runs.map((run) => (
              <RunRow key={run.id} run={run} now={now} showOwner={showOwner} />
            ))}
          </ul>
        ) : (
          <p className="px-5 py-10 text-center text-sm text-zinc-400" data-testid="runs-empty">
            {filtered ? "No runs match this search and these filters." : "No runs here."}
          </p>
        )}
      </div>
      {page.nextCursor && (
        <div className="flex justify-center">
          {limit < MAX_LIMIT ? (
            <button type="button" onClick={() => setLimit((l) => Math.min(MAX_LIMIT, l + PAGE_SIZE))} disabled={isLoading} className={buttonClass("secondary")}>
              {isLoading ? "Loading…" : "Load more"}
            </button>
          ) : (
            olderHref && (
              <Link href={olderHref} className={buttonClass("secondary")}>
                Older runs
              </Link>
            )
          )}
        </div>
      )}
    </div>
  );
}
