"use client";

import type { ExecutorInfo } from "@/lib/executors";
import { cx } from "../ui/cx";

/** Executors as choice cards; the ones that cannot run here are shown with the reason. */
export function ExecutorPicker({
  executors,
  value,
  onChange,
  invalid,
}: {
  executors: ExecutorInfo[];
  value: string;
  onChange: (name: string) => void;
  invalid?: boolean;
}) {
  return (
    <div id="executor" role="radiogroup" aria-invalid={invalid || undefined} className="grid gap-2 sm:grid-cols-2">
      {executors.map((e) => {
        const checked = value === e.name;
        return (
          <label
            key={e.name}
            className={cx(
              "relative flex cursor-pointer gap-3 rounded-lg border p-3 transition-colors",
              !e.available && "cursor-not-allowed opacity-55",
              checked ? "border-indigo-500 bg-indigo-950/40 ring-1 ring-indigo-500" : "border-zinc-700 bg-zinc-950 hover:border-zinc-600",
            )}
          >
            <input
              type="radio"
              name="executor"
              value={e.name}
              checked={checked}
              disabled={!e.available}
              onChange={() => onChange(e.name)}
              className="mt-0.5 accent-indigo-500"
            />
            <span className="min-w-0">
              <span className="block text-sm font-medium text-zinc-100">
                {e.label} <span className="font-mono text-xs text-zinc-500">{e.name}</span>
              </span>
              <span className="mt-0.5 block text-xs text-zinc-400">{e.available ? e.description : e.unavailableReason}</span>
              {e.available && e.note && <span className="mt-1 block text-xs text-amber-300/90">{e.note}</span>}
            </span>
          </label>
        );
      })}
    </div>
  );
}
