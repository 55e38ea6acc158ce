import type { RunEvent } from "@/lib/events";
import { runEffect } from "@/lib/runChanges";
import type { RunRecord } from "./runTypes";

/** The run record after an event, by the same rules the recorder writes to the database. */
export function applyRunEvent(run: RunRecord, event: RunEvent): RunRecord {
  const { changes } = runEffect(run.status, event);
  const next: Record<string, unknown> = { ...run };
  for (const [key, value] of Object.entries(changes)) next[key] = value instanceof Date ? value.toISOString() : value;
  return next as RunRecord;
}
