import type { Redis } from "ioredis";
import { encodeRunChange, type RunChange } from "./contracts/runChanges";
import type { EventLogKeys } from "./eventLog";

/**
 * The run-changes stream keeps about this many entries: enough for a browser that lost its
 * connection for a while to resume exactly; one that was away longer refetches everything
 * (a `resync`), which is cheap, so the stream need not be long.
 */
export const RUN_CHANGES_MAXLEN = 5_000;

/** Notes one change on the run-changes stream; returns its stream id (the live channel's SSE id). */
export async function appendRunChange(redis: Redis, keys: Pick<EventLogKeys, "runChanges">, change: RunChange): Promise<string> {
  const id = await redis.xadd(keys.runChanges, "MAXLEN", "~", RUN_CHANGES_MAXLEN, "*", ...encodeRunChange(change));
  if (!id) throw new Error(`XADD to ${keys.runChanges} returned no id`);
  return id;
}
