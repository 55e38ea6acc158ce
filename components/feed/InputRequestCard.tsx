import type { RunEventOf } from "@/lib/events";
import { FeedRow } from "./FeedRow";
import { icons } from "./icons";

type Requested = RunEventOf<"input.requested">;
type Resolved = RunEventOf<"input.resolved">;

function resolutionText(r: Resolved): string {
  if (r.decision) return `${r.decision === "approve" ? "Approved" : "Denied"} by ${r.by}`;
  return `Answered by ${r.by}`;
}

/** An approval or a question the run is waiting on (or was), with its outcome once known. */
export function InputRequestCard({ event, resolution }: { event: Requested; resolution?: Resolved }) {
  const approval = event.kind === "approval";
  return (
    <FeedRow icon={icons.hand} tone={resolution ? "neutral" : "warning"} at={event.at} type={event.type}>
      <div className={resolution ? "rounded-lg border border-zinc-800 bg-zinc-900/60 p-3" : "rounded-lg border border-amber-800/70 bg-amber-950/30 p-3"}>
        <p className="text-sm font-medium text-amber-200">
          {approval ? `Approval requested${event.tool ? ` for ${event.tool}` : ""}` : "The agent asks a question"}
        </p>
        {event.question && <p className="mt-1 text-sm whitespace-pre-wrap text-zinc-200">{event.question}</p>}
        {event.input !== undefined && (
          <pre className="mt-2 max-h-48 overflow-auto rounded-md bg-zinc-950 px-3 py-2 font-mono text-xs text-zinc-300 ring-1 ring-zinc-800">
            {typeof event.input === "string" ? event.input : JSON.stringify(event.input, null, 2)}
          </pre>
        )}
        {event.reasons?.length ? (
          <ul className="mt-2 list-disc pl-5 text-xs text-amber-200/80">
            {event.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        ) : null}
        <p className="mt-2 text-xs text-zinc-400">
          {resolution ? resolutionText(resolution) : "Waiting for an answer. The run continues once someone responds."}
        </p>
      </div>
    </FeedRow>
  );
}
