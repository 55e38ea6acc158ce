import { notificationStateLabels, notificationStates, type NotificationState } from "@/lib/contracts/notifications";

/** The run states an endpoint is told about, one checkbox each (`state_<name>`). */
export function StatesFieldset({ chosen, error }: { chosen: readonly NotificationState[]; error?: string }) {
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-zinc-200">Send a delivery when a run is</legend>
      {error && <p className="text-sm text-red-400">{error}</p>}
      <div className="flex flex-col gap-1 sm:flex-row sm:flex-wrap sm:gap-x-6">
        {notificationStates.map((state) => (
          <label key={state} className="flex min-h-11 items-center gap-2.5 text-sm text-zinc-300">
            <input type="checkbox" name={`state_${state}`} defaultChecked={chosen.includes(state)} className="size-4 rounded border-zinc-600 bg-zinc-950 accent-indigo-500" />
            {notificationStateLabels[state]}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
