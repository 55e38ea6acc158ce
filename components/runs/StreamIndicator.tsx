import type { StreamState } from "../feed/useRunEvents";
import { cx } from "../ui/cx";

const looks: Record<StreamState, { label: string; dot: string }> = {
  connecting: { label: "Connecting…", dot: "bg-zinc-500" },
  live: { label: "Live", dot: "bg-emerald-400 animate-pulse" },
  reconnecting: { label: "Reconnecting…", dot: "bg-amber-400 animate-pulse" },
  ended: { label: "Up to date", dot: "bg-zinc-500" },
  failed: { label: "Disconnected: reload the page", dot: "bg-red-500" },
};

export function StreamIndicator({ state }: { state: StreamState }) {
  const look = looks[state];
  return (
    <span data-stream-state={state} className="inline-flex items-center gap-1.5 text-xs text-zinc-400">
      <span className={cx("h-1.5 w-1.5 rounded-full", look.dot)} />
      {look.label}
    </span>
  );
}
