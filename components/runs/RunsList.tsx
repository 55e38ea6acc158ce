"use client";

import { useRef, useState } from "react";
import { buttonClass, cardClass } from "../ui/styles";
import { useNow } from "../ui/useNow";
import { fetchJson } from "./fetchJson";
import { RunRow, runGrid } from "./RunRow";
import type { RunsPage } from "./runTypes";
import { usePolling } from "./usePolling";

const PAGE_SIZE = 25;
const MAX_LIMIT = 200;

const runsUrl = (status: string | undefined, limit: number, cursor?: string) => {
  const q = new URLSearchParams({ limit: String(limit) });
  if (status) q.set("status", status);
  if (cursor) q.set("cursor", cursor);
  return `/api/runs?${q}`;
};

/**
 * The runs list, kept live by re-reading every row shown (up to 200) every 2 s from the same
 * API scripts use; older pages are added with the cursor.
 */
export function RunsList({ initial, status }: { initial: RunsPage; status?: string }) {
  const [page, setPage] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // Bumped by "load more", so a poll that started before it does not drop the added rows.
  const version = useRef(0);
  const now = useNow(1000);

  usePolling(
    async () => {
      const started = version.current;
      const limit = Math.min(MAX_LIMIT, Math.max(PAGE_SIZE, page.runs.length));
      const fresh = await fetchJson<RunsPage>(runsUrl(status, limit));
      if (version.current !== started) return;
      setPage(fresh);
      setError(null);
    },
    2000,
    (err) => setError(`Live updates paused: ${(err as Error).message}`),
  );

  async function loadMore() {
    if (!page.nextCursor) return;
    setLoadingMore(true);
    try {
      const more = await fetchJson<RunsPage>(runsUrl(status, PAGE_SIZE, page.nextCursor));
      version.current += 1;
      setPage((p) => ({ runs: [...p.runs, ...more.runs.filter((r) => !p.runs.some((x) => x.id === r.id))], nextCursor: more.nextCursor }));
    } catch (err) {
      setError(`Could not load more runs: ${(err as Error).message}`);
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
