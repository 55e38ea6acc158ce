import type { RunEvent } from "@/lib/events";
import { runEffectOn } from "@/lib/runChanges";
import { runTimesOf } from "@/lib/runTimes";
import type { RunRecord } from "./runTypes";

/** The run record after an event, by the same rules the recorder writes to the database. */
export function applyRunEvent(run: RunRecord, event: RunEvent): RunRecord {
  const { changes } = runEffectOn({ status: run.status, ...runTimesOf(run) }, event);
  const next: Record<string, unknown> = { ...run };
  for (const [key, value] of Object.entries(changes)) next[key] = value instanceof Date ? value.toISOString() : value;
  return next as RunRecord;
}
