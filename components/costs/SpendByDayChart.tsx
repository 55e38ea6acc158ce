"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useColorScheme } from "../ui/useColorScheme";
import { chartColors } from "./chartColors";
import { usd } from "./money";

/** The month's spend per day (UTC), one bar a day. */
export function SpendByDayChart({ days }: { days: { day: string; costUsd: number }[] }) {
  const colors = chartColors(useColorScheme());
  const data = days.map((d) => ({ ...d, label: String(Number(d.day.slice(8, 10))) }));
  return (
    <div className="h-56 w-full sm:h-64" data-chart="by-day" role="img" aria-label="Spend per day of the month">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke={colors.grid} />
          <XAxis dataKey="label" tick={{ fill: colors.text, fontSize: 11 }} tickLine={false} axisLine={{ stroke: colors.grid }} interval="preserveStartEnd" minTickGap={8} />
          <YAxis tickFormatter={(v: number) => usd(v)} tick={{ fill: colors.text, fontSize: 11 }} tickLine={false} axisLine={false} width={64} />
          <Tooltip
            cursor={{ fill: colors.cursor }}
            contentStyle={{ background: colors.tooltipBackground, border: `1px solid ${colors.grid}`, borderRadius: 8, color: colors.tooltipText }}
            labelFormatter={(_, payload) => (payload?.[0]?.payload as { day?: string } | undefined)?.day ?? ""}
            formatter={(value) => [usd(Number(value)), "Spend"]}
          />
          <Bar dataKey="costUsd" fill={colors.bar} radius={[3, 3, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
