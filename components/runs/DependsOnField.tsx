"use client";

import { useState } from "react";
import { MAX_DEPENDENCIES } from "@/lib/contracts/runDependencies";
import type { CheckedDependency } from "@/lib/services/runDependencies";
import { StatusBadge } from "./StatusBadge";
import { touchTargetClass } from "../ui/styles";
import { cx } from "../ui/cx";

/**
 * "Wait for runs": the team's recent runs the new run may wait for (lib/contracts/
 * runDependencies.ts). It starts once each chosen run finished its work (awaiting review,
 * pushed or completed); one that fails or is cancelled cancels it. Sent as one field.
 */
export function DependsOnField({ choices, error }: { choices: CheckedDependency[]; error?: string }) {
  const [chosen, setChosen] = useState<string[]>([]);
  const full = chosen.length >= MAX_DEPENDENCIES;
  return (
    <fieldset className="min-w-0 space-y-1.5" data-testid="depends-on-field" aria-describedby={error ? "dependsOn-error" : "dependsOn-hint"}>
      <legend className="block text-sm font-medium text-zinc-200">Wait for runs (optional)</legend>
      <input type="hidden" name="dependsOn" value={chosen.join(",")} />
      {choices.length === 0 ? (
        <p className="text-sm text-zinc-500">No recent run to wait for: runs of your team that are under way or done appear here.</p>
      ) : (
        <ul className="max-h-56 divide-y divide-zinc-800 overflow-y-auto rounded-lg border border-zinc-800">
          {choices.map((c) => {
            const checked = chosen.includes(c.id);
            return (
              <li key={c.id}>
                <label className={cx("flex cursor-pointer items-center gap-3 px-3 py-2 text-sm hover:bg-zinc-900", touchTargetClass)}>
                  <input
                    type="checkbox"
                    checked={checked}
                    disabled={!checked && full}
                    onChange={(e) => setChosen((list) => (e.target.checked ? [...list, c.id] : list.filter((id) => id !== c.id)))}
                    className="size-4 shrink-0 accent-indigo-500"
                  />
                  <span className="min-w-0 flex-1 truncate text-zinc-200">{c.title}</span>
                  <StatusBadge status={c.status} />
                </label>
              </li>
            );
          })}
        </ul>
      )}
      {error ? (
        <p id="dependsOn-error" role="alert" data-field-error="dependsOn" className="text-sm text-red-400">
          {error.charAt(0).toUpperCase() + error.slice(1)}
        </p>
      ) : (
        <p id="dependsOn-hint" className="text-xs text-zinc-500">
          The run starts once every run chosen here has finished its work (awaiting review, pushed or completed); if one fails or is
          cancelled, this run is cancelled. At most {MAX_DEPENDENCIES}.
        </p>
      )}
    </fieldset>
  );
}
