import Link from "next/link";
import type { ParkedEventView } from "@/lib/services/parkedEvents";
import { linkClass } from "../ui/styles";
import { Time } from "../ui/Time";

const columns = "sm:grid sm:grid-cols-[12rem_10rem_minmax(0,1fr)_7rem] sm:items-start sm:gap-4";

/** Recorder entries that could not be stored: which run, what kind of event, why, and when. */
export function ParkedEventTable({ entries }: { entries: ParkedEventView[] }) {
  return (
    <div className="overflow-hidden rounded-lg border border-zinc-800">
      <div className={`${columns} hidden border-b border-zinc-800 bg-zinc-900 px-5 py-2 text-xs font-medium tracking-wide text-zinc-500 uppercase`}>
        <span>Run</span>
        <span>Event</span>
        <span>Error</span>
        <span className="text-right">Parked</span>
      </div>
      <ul data-testid="parked-events" className="divide-y divide-zinc-800">
        {entries.map((e) => (
          <li key={e.streamId} data-stream-id={e.streamId} className={`${columns} flex flex-col gap-1 px-4 py-3 sm:px-5`}>
            <span className="min-w-0 truncate font-mono text-xs">
              {e.runId ? (
                <Link href={`/runs/${encodeURIComponent(e.runId)}`} className={linkClass}>
                  {e.runId}
                </Link>
              ) : (
                <span className="text-zinc-500">unknown run</span>
              )}
              <span className="block font-sans text-zinc-500">entry {e.streamId}</span>
            </span>
            <span className="font-mono text-xs text-zinc-300">{e.type ?? <span className="text-zinc-500">unknown</span>}</span>
            <span className="min-w-0 text-xs break-words text-red-300">
              {e.error}
              <span className="block text-zinc-500">
                after {e.attempts} {e.attempts === 1 ? "try" : "tries"}
              </span>
            </span>
            <span className="text-xs text-zinc-400 sm:text-right">
              <Time iso={e.parkedAt} />
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
