import type { EventBodyInput } from "../lib/events";
import { appendEvent, appendEventOnce, type EventLog } from "../lib/eventLog";
import type { RunEmit } from "./executors/types";
import { maskDeep } from "./secrets";

/**
 * The one way the job process writes a run's events: every string of every event is masked
 * for the run's known secret values here, so no call site can forget.
 */
export function createRunEmitter(log: EventLog, runId: string, secrets: readonly string[]): RunEmit {
  return async (body: EventBodyInput, options?: { onceKey?: string }) => {
    const masked = maskDeep(body, secrets);
    if (options?.onceKey) await appendEventOnce(log, runId, masked, options.onceKey);
    else await appendEvent(log, runId, masked);
  };
}
