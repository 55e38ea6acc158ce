import type { RuleEffect } from "@/lib/approval/rules";
import { cx } from "../ui/cx";

const looks: Record<RuleEffect, string> = {
  allow: "bg-emerald-950 text-emerald-300 ring-emerald-800",
  ask: "bg-amber-950 text-amber-300 ring-amber-800",
  deny: "bg-red-950 text-red-300 ring-red-800",
};

export function EffectBadge({ effect }: { effect: RuleEffect }) {
  return (
    <span className={cx("inline-block w-14 rounded-md px-1.5 py-0.5 text-center text-[11px] font-semibold uppercase tracking-wide ring-1 ring-inset", looks[effect])}>
      {effect}
    </span>
  );
}
