import Link from "next/link";
import { scheduleAnchor } from "@/lib/scheduleLink";
import type { ScheduleView } from "@/lib/services/schedules";
import type { FormAction } from "../forms/useFormAction";
import { cx } from "../ui/cx";
import { linkClass } from "../ui/styles";
import { Time } from "../ui/Time";
import { NextFire } from "./NextFire";
import { ScheduleButtons } from "./ScheduleButtons";

/** `highlight`: the schedule a link pointed to (a run's "Started by the schedule …"), marked in the list. */
export function ScheduleList({
  schedules,
  showOwner,
  manageable,
  toggle,
  remove,
  highlight,
}: {
  schedules: ScheduleView[];
  showOwner: boolean;
  /** The schedules this person may pause or delete (their own; every one for a team admin). */
  manageable: ReadonlySet<string>;
  toggle: FormAction<null>;
  remove: FormAction<null>;
  highlight?: string;
}) {
  if (!schedules.length) return <p className="text-sm text-zinc-400">No schedules yet. Add one below.</p>;
  return (
    <ul data-testid="schedules" className="divide-y divide-zinc-800">
      {schedules.map((s) => (
        <li
          key={s.id}
          id={scheduleAnchor(s.id)}
          data-highlighted={s.id === highlight || undefined}
          className={cx(
            "flex scroll-mt-24 flex-wrap items-start justify-between gap-3",
            s.id === highlight ? "-mx-3 rounded-lg bg-indigo-950/40 p-3 ring-1 ring-indigo-700" : "py-3 first:pt-0 last:pb-0",
          )}
        >
          <div className="min-w-0 flex-1 space-y-1">
            <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-zinc-100">
              {s.name}
              {!s.enabled && <span className="rounded-md bg-zinc-800 px-1.5 py-0.5 text-[10px] font-semibold uppercase tracking-wide text-zinc-400">paused</span>}
            </p>
            <p className="text-sm text-zinc-300">
              {s.description} <span className="text-zinc-500">({s.timezone})</span>
            </p>
            <p className="break-all text-xs text-zinc-500">
              <code className="font-mono">{s.cron}</code> on <span className="font-mono">{s.repo ?? "(removed repository)"}</span>
              {s.fromTemplate ? (
                <>
                  {" "}from the template <span className="font-mono">{s.fromTemplate.name ?? "(deleted)"}</span>
                  {Object.keys(s.fromTemplate.variables).length > 0 && (
                    <> ({Object.entries(s.fromTemplate.variables).map(([k, v]) => `${k}=${v.length > 40 ? `${v.slice(0, 39)}…` : v}`).join(", ")})</>
                  )}
                </>
              ) : (
                <>
                  {" "}with <span className="font-mono">{typeof s.template.executor === "string" ? s.template.executor : "agent"}</span>
                  {typeof s.template.acpAgent === "string" && <> (ACP agent <span className="font-mono">{s.template.acpAgent}</span>)</>}
                </>
              )}
              {showOwner && <> · {s.owner}</>}
            </p>
            <p className="text-xs text-zinc-500">
              {s.lastRunId ? (
                <>
                  last run <Link href={`/runs/${s.lastRunId}`} className={linkClass}>{s.lastRunAt ? <Time iso={s.lastRunAt} /> : "open"}</Link>
                </>
              ) : (
                "not run yet"
              )}
              {s.nextRunAt && (
                <>
                  {" "}· next <NextFire iso={s.nextRunAt} />
                </>
              )}
            </p>
            {s.lastError && <p role="status" className="text-xs text-red-300">Last tick made no run: {s.lastError}</p>}
          </div>
          {manageable.has(s.id) && <ScheduleButtons id={s.id} name={s.name} enabled={s.enabled} toggle={toggle} remove={remove} />}
        </li>
      ))}
    </ul>
  );
}
