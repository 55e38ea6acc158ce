"use client";

import { useRouter } from "next/navigation";
import { inputClass } from "../ui/styles";

/** Above the New run form: start from one of the team's templates, or from a blank form. */
export function TemplatePicker({ templates, current }: { templates: { id: string; name: string }[]; current: string | null }) {
  const router = useRouter();
  return (
    <div className="mb-4 flex flex-wrap items-center gap-3">
      <label htmlFor="from-template" className="text-sm font-medium text-zinc-200">
        Start from
      </label>
      <select
        id="from-template"
        value={current ?? ""}
        onChange={(e) => router.push(e.target.value ? `/runs/new?template=${e.target.value}` : "/runs/new")}
        className={`${inputClass()} w-auto min-w-48 max-w-full`}
      >
        <option value="">A blank form</option>
        {templates.map((t) => (
          <option key={t.id} value={t.id}>
            Template: {t.name}
          </option>
        ))}
      </select>
    </div>
  );
}
