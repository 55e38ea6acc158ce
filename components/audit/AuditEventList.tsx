import Link from "next/link";
import { auditActionLabels, type AuditAction } from "@/lib/auditActions";
import { auditDetailText } from "@/lib/auditText";
import type { AuditEventView } from "@/lib/services/audit";
import { cx } from "../ui/cx";
import { Time } from "../ui/Time";
import { linkClass } from "../ui/styles";

// Colour by what kind of decision: denials, removals and deletions stand out.
function tone(action: AuditAction): string {
  if (/\.(deny|delete|remove|revoke|discard|cancel)$/.test(action)) return "bg-red-950 text-red-300 ring-red-800";
  if (/\.(approve|push|create|join)$/.test(action)) return "bg-emerald-950 text-emerald-300 ring-emerald-800";
  return "bg-indigo-950 text-indigo-300 ring-indigo-800";
}

function Subject({ event }: { event: AuditEventView }) {
  const { type, id, label } = event.subject;
  if (type === "run") {
    return (
      <Link href={`/runs/${id}`} className={linkClass}>
        {label}
      </Link>
    );
  }
  return <span className="font-medium text-zinc-100">{label}</span>;
}

/** The audit rows, newest first: who did what to which thing, when, and the particulars. */
export function AuditEventList({ events }: { events: AuditEventView[] }) {
  return (
    <ol data-testid="audit-events" className="divide-y divide-zinc-800">
      {events.map((e) => {
        const details = auditDetailText(e.action, e.details);
        return (
          <li key={e.id} data-action={e.action} data-subject={e.subject.id} className="py-3 first:pt-0 last:pb-0">
            <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">
              <span className={cx("rounded-md px-1.5 py-0.5 text-xs font-semibold ring-1 ring-inset", tone(e.action))}>{auditActionLabels[e.action]}</span>
              <span className="min-w-0 break-words">
                <Subject event={e} />
              </span>
            </div>
            <p className="mt-1 text-xs text-zinc-400">
              <span className="break-all text-zinc-300">{e.actor.email}</span>
              {!e.actor.userId && <span className="text-zinc-500"> (account removed)</span>} · <Time iso={e.at} />
            </p>
            {details.length > 0 && <p className="mt-1 break-words text-xs text-zinc-500">{details.join(" · ")}</p>}
          </li>
        );
      })}
    </ol>
  );
}
