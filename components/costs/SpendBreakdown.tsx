"use client";

import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { CostSlice } from "@/lib/services/costs";
import { useColorScheme } from "../ui/useColorScheme";
import { chartColors } from "./chartColors";
import { usd } from "./money";

const ROW_HEIGHT = 32;

/**
 * One breakdown of the month's spend (by user, repository, executor or model): a horizontal
 * bar per key, largest first, and the same figures as a list beneath for reading exactly.
 */
export function SpendBreakdown({ name, slices }: { name: string; slices: CostSlice[] }) {
  const colors = chartColors(useColorScheme());
  if (slices.length === 0) return <p className="text-sm text-zinc-400">Nothing spent this month.</p>;
  return (
    <div className="space-y-3">
      <div style={{ height: slices.length * ROW_HEIGHT + 16 }} className="w-full" data-chart={name} role="img" aria-label={`Spend by ${name}`}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={slices} layout="vertical" margin={{ top: 0, right: 8, bottom: 0, left: 0 }}>
            <XAxis type="number" hide />
            <YAxis type="category" dataKey="key" width={132} tick={{ fill: colors.text, fontSize: 11 }} tickLine={false} axisLine={false} tickFormatter={(v: string) => (v.length > 16 ? `${v.slice(0, 15)}…` : v)} />
            <Tooltip
              cursor={{ fill: colors.cursor }}
              contentStyle={{ background: colors.tooltipBackground, border: `1px solid ${colors.grid}`, borderRadius: 8, color: colors.tooltipText }}
              formatter={(value) => [usd(Number(value)), "Spend"]}
            />
            <Bar dataKey="costUsd" fill={colors.bar} radius={[0, 3, 3, 0]} barSize={18} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <ul className="divide-y divide-zinc-800 text-sm" aria-label={`Spend by ${name}, in figures`}>
        {slices.map((s) => (
          <li key={s.key} data-slice={s.key} className="flex items-baseline justify-between gap-3 py-1.5">
            <span className="min-w-0 truncate text-zinc-200" title={s.key}>
              {s.key}
            </span>
            <span className="shrink-0 tabular-nums text-zinc-300">
              {usd(s.costUsd)} <span className="text-xs text-zinc-500">· {s.runs} run{s.runs === 1 ? "" : "s"}</span>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
