import Link from "next/link";
import { statusLabel } from "@/lib/contracts/runLifecycle";
import { originLabels } from "@/lib/contracts/runOrigin";
import { scheduleHref } from "@/lib/scheduleLink";
import type { RunLineage } from "@/lib/services/runLineage";
import { linkClass } from "../ui/styles";

/**
 * Where a run came from and what was made from it: "Retry of …", "Scheduled by …", "From the
 * template …", "Retried as …". A run, schedule or template the viewer may not see is named
 * without a link.
 */
export function RunLineageLinks({ lineage }: { lineage: RunLineage }) {
  const { origin, schedule, template, derived } = lineage;
  if (!hasRelatedRuns(lineage)) return null;
  return (
    <ul className="space-y-1 text-sm text-zinc-300" data-testid="run-lineage">
      {origin && (
        <li data-testid="run-origin">
          {originLabels[origin.kind].of}{" "}
          {origin.title !== null ? (
            <Link href={`/runs/${origin.runId}`} className={linkClass}>
              {origin.title}
            </Link>
          ) : (
            <span className="font-mono text-zinc-500">a run you cannot see ({origin.runId.slice(0, 8)})</span>
          )}
        </li>
      )}
      {schedule && (
        <li data-testid="run-schedule" data-schedule-deleted={schedule.deleted || undefined}>
          {schedule.name !== null ? (
            <>
              Started by the schedule{" "}
              <Link href={scheduleHref(schedule.id)} className={linkClass}>
                {schedule.name}
              </Link>
            </>
          ) : schedule.deleted ? (
            <>
              Started by a schedule <span className="text-zinc-500">that has since been deleted</span>
            </>
          ) : (
            <>
              Started by a schedule <span className="text-zinc-500">you cannot see</span>
            </>
          )}
        </li>
      )}
      {template && (
        <li data-testid="run-template" data-template-deleted={template.deleted || undefined}>
          {template.name !== null ? (
            <>
              From the template{" "}
              <Link href={`/templates/${template.id}`} className={linkClass}>
                {template.name}
              </Link>
            </>
          ) : template.deleted ? (
            <>
              From a template <span className="text-zinc-500">that has since been deleted</span>
            </>
          ) : (
            <>
              From a template <span className="text-zinc-500">you cannot see</span>
            </>
          )}
        </li>
      )}
      {derived.map((d) => (
        <li key={d.runId} data-testid="run-derived">
          {originLabels[d.kind].as}{" "}
          <Link href={`/runs/${d.runId}`} className={linkClass}>
            {d.title}
          </Link>{" "}
          <span className="text-xs text-zinc-500">({statusLabel(d.status)})</span>
        </li>
      ))}
    </ul>
  );
}

/** Whether the run has anything for the "Related runs" list above. */
export function hasRelatedRuns({ origin, schedule, template, derived }: RunLineage): boolean {
  return Boolean(origin || schedule || template || derived.length > 0);
}
