import type { RunStatus } from "@/lib/db/schema";
import { cx } from "../ui/cx";

const looks: Record<RunStatus, { label: string; className: string; dot: string; pulse?: boolean }> = {
  queued: { label: "Queued", className: "bg-zinc-800 text-zinc-300 ring-zinc-600/60", dot: "bg-zinc-400" },
  running: { label: "Running", className: "bg-sky-950 text-sky-300 ring-sky-700/60", dot: "bg-sky-400", pulse: true },
  waiting_input: {
    label: "Waiting for input",
    className: "bg-amber-950 text-amber-300 ring-amber-700/60",
    dot: "bg-amber-400",
    pulse: true,
  },
  awaiting_review: {
    label: "Awaiting review",
    className: "bg-violet-950 text-violet-300 ring-violet-700/60",
    dot: "bg-violet-400",
  },
  pushing: { label: "Pushing", className: "bg-cyan-950 text-cyan-300 ring-cyan-700/60", dot: "bg-cyan-400", pulse: true },
  pushed: { label: "Pushed", className: "bg-emerald-950 text-emerald-300 ring-emerald-700/60", dot: "bg-emerald-400" },
  completed: { label: "Completed", className: "bg-teal-950 text-teal-300 ring-teal-700/60", dot: "bg-teal-400" },
  failed: { label: "Failed", className: "bg-red-950 text-red-300 ring-red-700/60", dot: "bg-red-400" },
  cancelled: { label: "Cancelled", className: "bg-orange-950 text-orange-300 ring-orange-800/60", dot: "bg-orange-400" },
  discarded: { label: "Discarded", className: "bg-stone-900 text-stone-400 ring-stone-700/60", dot: "bg-stone-500" },
};

export const statusLabel = (status: RunStatus) => looks[status].label;

export function StatusBadge({ status }: { status: RunStatus }) {
  const look = looks[status];
  return (
    <span
      data-status={status}
      className={cx(
        "inline-flex items-center gap-1.5 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset",
        look.className,
      )}
    >
      <span className="relative flex h-1.5 w-1.5">
        {look.pulse && <span className={cx("absolute inline-flex h-full w-full animate-ping rounded-full opacity-75", look.dot)} />}
        <span className={cx("relative inline-flex h-1.5 w-1.5 rounded-full", look.dot)} />
      </span>
      {look.label}
    </span>
  );
}
