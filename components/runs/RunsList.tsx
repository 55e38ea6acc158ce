"use client";

import { useEffect, useRef, useState } from "react";
import type { RunChange } from "@/lib/contracts/runChanges";
import { useCoalescedRefresh } from "../live/useCoalescedRefresh";
import { livePausedMessage, useLiveChannel } from "../live/useLiveChannel";
import { buttonClass, cardClass } from "../ui/styles";
import { useNow } from "../ui/useNow";
import { fetchJson } from "./fetchJson";
import { RunRow, runGrid } from "./RunRow";
import type { RunsPage } from "./runTypes";

const PAGE_SIZE = 25;
const MAX_LIMIT = 200;

const runsUrl = (status: string | undefined, limit: number, cursor?: string) => {
  const q = new URLSearchParams({ limit: String(limit) });
  if (status) q.set("status", status);
  if (cursor) q.set("cursor", cursor);
  return `/api/runs?${q}`;
};

/** Whether a change can alter what the list shows: a run in it, a new run, or one entering its filter. */
function concernsList(change: RunChange, page: RunsPage, status: string | undefined): boolean {
  if (page.runs.some((r) => r.id === change.runId)) return true;
  if (status) return change.status === status;
  return change.kind === "created";
}

/**
 * The runs list, kept live by the tab's live channel: when a run it shows changes, a run is
 * created, or a run takes the status it filters by, every row shown (up to 200) is read again
 * from the same API scripts use, a burst of changes costing one request; nothing is read while
 * nothing changes. Older pages are added with the cursor.
 */
export function RunsList({ initial, status }: { initial: RunsPage; status?: string }) {
  const [page, setPage] = useState(initial);
  const [fetchError, setFetchError] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // Bumped by "load more", so a refetch that started before it does not drop the added rows.
  const version = useRef(0);
  const now = useNow(1000);

  const refresh = useCoalescedRefresh(async () => {
    const started = version.current;
    const limit = Math.min(MAX_LIMIT, Math.max(PAGE_SIZE, page.runs.length));
    try {
      const fresh = await fetchJson<RunsPage>(runsUrl(status, limit));
      if (version.current !== started) return;
      setPage(fresh);
      setFetchError(null);
    } catch (err) {
      setFetchError((err as Error).message);
    }
  });
  const { state } = useLiveChannel((signal) => {
    if (signal.type === "resync" || concernsList(signal.change, page, status)) refresh();
  });
  const error = loadError ?? livePausedMessage(state, fetchError);
  // Mounted by a navigation while the channel was already up: a change between the server's
  // reading and this subscription would be missed, so read once more. (On a page load the
  // channel's first `resync` does it.)
  const connectedAtMount = useRef(state === "connected");
  useEffect(() => {
    if (connectedAtMount.current) refresh();
  }, [refresh]);

  async function loadMore() {
    if (!page.nextCursor) return;
    setLoadingMore(true);
    setLoadError(null);
    try {
      const more = await fetchJson<RunsPage>(runsUrl(status, PAGE_SIZE, page.nextCursor));
      version.current += 1;
      setPage((p) => ({ runs: [...p.runs, ...more.runs.filter((r) => !p.runs.some((x) => x.id === r.id))], nextCursor: more.nextCursor }));
    } catch (err) {
      setLoadError(`Could not load more runs: ${(err as Error).message}`);
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <div className="space-y-4">
      {error && <p className="rounded-lg border border-amber-900/60 bg-amber-950/40 px-3 py-2 text-sm text-amber-200">{error}</p>}
      <div className={`${cardClass} overflow-hidden`}>
        <div className={`${runGrid} hidden border-b border-zinc-800 bg-zinc-900 px-5 py-2 text-xs font-medium uppercase tracking-wide text-zinc-500`}>
          <span>Status</span>
          <span>Task</span>
          <span>Created</span>
          <span>Duration</span>
          <span className="text-right">Usage</span>
        </div>
        {page.runs.length ? (
          <ul data-testid="runs-list">
            {page.runs.map((run) => (
              <RunRow key={run.id} run={run} now={now} />
            ))}
          </ul>
        ) : (
          <p className="px-5 py-10 text-center text-sm text-zinc-400">No runs with this status.</p>
        )}
      </div>
      {page.nextCursor && (
        <div className="flex justify-center">
          <button type="button" onClick={loadMore} disabled={loadingMore} className={buttonClass("secondary")}>
            {loadingMore ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
    </div>
  );
}
