import { statusLabel, type RunStatus } from "@/lib/contracts/runLifecycle";
import { cx } from "../ui/cx";

// How each status looks; its name comes from the lifecycle contract.
const looks: Record<RunStatus, { className: string; dot: string; pulse?: boolean }> = {
  waiting_dependencies: { className: "bg-zinc-900 text-zinc-400 ring-zinc-700/60", dot: "bg-zinc-500" },
  queued: { className: "bg-zinc-800 text-zinc-300 ring-zinc-600/60", dot: "bg-zinc-400" },
  running: { className: "bg-sky-950 text-sky-300 ring-sky-700/60", dot: "bg-sky-400", pulse: true },
  waiting_input: {
    className: "bg-amber-950 text-amber-300 ring-amber-700/60",
    dot: "bg-amber-400",
    pulse: true,
  },
  awaiting_review: {
    className: "bg-violet-950 text-violet-300 ring-violet-700/60",
    dot: "bg-violet-400",
  },
  pushing: { className: "bg-cyan-950 text-cyan-300 ring-cyan-700/60", dot: "bg-cyan-400", pulse: true },
  pushed: { className: "bg-emerald-950 text-emerald-300 ring-emerald-700/60", dot: "bg-emerald-400" },
  completed: { className: "bg-teal-950 text-teal-300 ring-teal-700/60", dot: "bg-teal-400" },
  failed: { className: "bg-red-950 text-red-300 ring-red-700/60", dot: "bg-red-400" },
  cancelled: { className: "bg-orange-950 text-orange-300 ring-orange-800/60", dot: "bg-orange-400" },
  discarded: { className: "bg-stone-900 text-stone-400 ring-stone-700/60", dot: "bg-stone-500" },
};

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
      {statusLabel(status)}
    </span>
  );
}
