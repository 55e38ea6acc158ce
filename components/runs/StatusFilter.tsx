"use client";

import { useRouter } from "next/navigation";
import { inputClass } from "../ui/styles";

/** Filters the list by status through the URL, so a filtered view can be shared and reloaded. */
export function StatusFilter({ statuses, value }: { statuses: { value: string; label: string }[]; value?: string }) {
  const router = useRouter();
  return (
    <label className="flex items-center gap-2 text-sm text-zinc-400">
      <span className="whitespace-nowrap">Status</span>
      <select
        value={value ?? ""}
        onChange={(e) => router.replace(e.target.value ? `/?status=${e.target.value}` : "/")}
        className={`${inputClass()} w-auto py-1.5`}
      >
        <option value="">All</option>
        {statuses.map((s) => (
          <option key={s.value} value={s.value}>
            {s.label}
          </option>
        ))}
      </select>
    </label>
  );
}
