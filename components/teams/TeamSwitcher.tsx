"use client";

import { useFormAction, type FormAction } from "../forms/useFormAction";
import { inputClass } from "../ui/styles";

type TeamOption = { id: string; name: string; role: string };

/**
 * The team the person works in, for someone in more than one: picking another switches at once
 * (POST /api/me/team does the same), and every page then shows that team's runs and repositories.
 */
export function TeamSwitcher({ teams, active, action }: { teams: TeamOption[]; active: string; action: FormAction<{ name: string }> }) {
  const { onSubmit, pending, error } = useFormAction(action);
  return (
    <form onSubmit={onSubmit} className="flex min-w-0 items-center gap-2">
      <label htmlFor="team-switcher" className="shrink-0 text-xs font-medium text-zinc-500 lg:sr-only">
        Team
      </label>
      <select
        id="team-switcher"
        name="teamId"
        defaultValue={active}
        disabled={pending}
        data-testid="team-switcher"
        onChange={(e) => e.currentTarget.form?.requestSubmit()}
        className={`${inputClass(!!error)} min-h-11 max-w-48 py-1 lg:min-h-9 lg:w-36`}
      >
        {teams.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name} ({t.role})
          </option>
        ))}
      </select>
      <noscript>
        <button type="submit">Switch</button>
      </noscript>
      {error && (
        <span role="alert" className="text-xs text-red-300">
          {error}
        </span>
      )}
    </form>
  );
}
