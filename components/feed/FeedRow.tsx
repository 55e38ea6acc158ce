import { Time } from "../ui/Time";
import { cx } from "../ui/cx";

export type Tone = "neutral" | "info" | "success" | "warning" | "danger" | "accent";

const dots: Record<Tone, string> = {
  neutral: "bg-zinc-800 text-zinc-400 ring-zinc-700",
  info: "bg-sky-950 text-sky-300 ring-sky-800",
  success: "bg-emerald-950 text-emerald-300 ring-emerald-800",
  warning: "bg-amber-950 text-amber-300 ring-amber-800",
  danger: "bg-red-950 text-red-300 ring-red-800",
  accent: "bg-indigo-950 text-indigo-300 ring-indigo-800",
};

/** One entry on the feed's timeline: a marker, the content, and when it happened. */
export function FeedRow({
  icon,
  tone = "neutral",
  at,
  type,
  children,
}: {
  icon: React.ReactNode;
  tone?: Tone;
  at: string;
  type: string;
  children: React.ReactNode;
}) {
  return (
    <li data-event={type} className="group relative flex gap-3 pb-5 last:pb-0">
      <span className="absolute top-7 bottom-0 left-[13px] w-px bg-zinc-800 group-last:hidden" aria-hidden="true" />
      <span className={cx("relative z-10 flex h-7 w-7 shrink-0 items-center justify-center rounded-full text-xs ring-1", dots[tone])}>
        {icon}
      </span>
      <div className="min-w-0 flex-1 pt-0.5">{children}</div>
      <Time iso={at} className="hidden shrink-0 pt-1 text-xs text-zinc-500 sm:block" />
    </li>
  );
}

/** The headline of an entry, with optional detail after it. */
export function RowTitle({ children, detail }: { children: React.ReactNode; detail?: React.ReactNode }) {
  return (
    <p className="text-sm text-zinc-200">
      <span className="font-medium">{children}</span>
      {detail && <span className="text-zinc-400"> · {detail}</span>}
    </p>
  );
}
