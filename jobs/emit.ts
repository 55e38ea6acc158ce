import type { EventBodyInput } from "../lib/events";
import { StaleAttemptError, appendEvent, appendEventOnce, type EventLog } from "../lib/eventLog";
import type { RunEmit } from "./executors/types";
import type { AttemptFence } from "./run/fence";
import { maskDeep } from "./secrets";

/**
 * The one way the job process writes a run's events: every string of every event is masked
 * for the run's known secret values here, so no call site can forget. With a fence (a run
 * job's delivery) every append checks the delivery's job lock in the same atomic step, so an
 * attempt that lost the run can add nothing to it (StaleAttemptError).
 */
export function createRunEmitter(log: EventLog, runId: string, secrets: readonly string[], fence?: AttemptFence): RunEmit {
  return async (body: EventBodyInput, options?: { onceKey?: string }) => {
    const masked = maskDeep(body, secrets);
    const guard = fence ? fence.appendGuard() : {};
    try {
      if (options?.onceKey) await appendEventOnce(log, runId, masked, options.onceKey, new Date(), guard);
      else await appendEvent(log, runId, masked, new Date(), guard);
    } catch (e) {
      if (e instanceof StaleAttemptError) fence?.markLost();
      throw e;
    }
  };
}
