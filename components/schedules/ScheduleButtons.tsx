"use client";

import { useFormAction, type FormAction } from "../forms/useFormAction";
import { buttonClass } from "../ui/styles";

/** Pause / resume and delete for one schedule; each is its own small form. */
export function ScheduleButtons({ id, name, enabled, toggle, remove }: { id: string; name: string; enabled: boolean; toggle: FormAction<null>; remove: FormAction<null> }) {
  const flip = useFormAction(toggle);
  const del = useFormAction(remove);
  const error = flip.error ?? del.error;
  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex gap-2">
        <form onSubmit={flip.onSubmit}>
          <input type="hidden" name="id" value={id} />
          <input type="hidden" name="enabled" value={enabled ? "false" : "true"} />
          <button type="submit" disabled={flip.pending} className={buttonClass("secondary", "sm")} aria-label={`${enabled ? "Pause" : "Resume"} schedule ${name}`}>
            {flip.pending ? "Saving…" : enabled ? "Pause" : "Resume"}
          </button>
        </form>
        <form
          onSubmit={(e) => {
            if (!window.confirm(`Delete the schedule “${name}”?`)) e.preventDefault();
            else del.onSubmit(e);
          }}
        >
          <input type="hidden" name="id" value={id} />
          <button type="submit" disabled={del.pending} className={buttonClass("danger", "sm")} aria-label={`Delete schedule ${name}`}>
            {del.pending ? "Deleting…" : "Delete"}
          </button>
        </form>
      </div>
      {error && <p role="alert" className="text-xs text-red-300">{error}</p>}
    </div>
  );
}
