import type { EventLog } from "../../lib/eventLog";
import { decodeInputEntry, type InputResolution } from "../../lib/inputArbiter";
import type { Logger } from "../logger";

/** One XREAD blocks at most this long, so a passed deadline is noticed without a timer. */
const MAX_BLOCK_MS = 5_000;

export type WaitOptions = {
  eventLog: EventLog;
  runId: string;
  requestId: string;
  /** Epoch ms after which the wait gives up (returns null). */
  deadline: number;
  signal: AbortSignal;
  logger?: Logger;
};

/**
 * Waits for the answer to one request on the run's answer stream. Reads from the start, so an
 * answer appended while no job was waiting (a worker restart) is found at once. Blocks on its
 * own connection, since XREAD BLOCK holds the connection it runs on; closing that connection
 * is what ends the wait promptly when the signal fires. Returns the answer, or null once the
 * deadline passed or the signal fired.
 */
export async function waitForInputAnswer(opts: WaitOptions): Promise<InputResolution | null> {
  const { eventLog, runId, requestId, deadline, signal } = opts;
  if (signal.aborted) return null;
  const stream = eventLog.keys.runInput(runId);
  const connection = eventLog.redis.duplicate({ connectionName: `agentdesk:input-wait:${runId}` });
  // Without a listener a connection error would crash the job process; the pending XREAD
  // rejects with it anyway and that is what the caller sees.
  connection.on("error", (err: Error) => opts.logger?.warn("input wait connection error", { runId, error: err.message }));
  const stop = () => connection.disconnect();
  signal.addEventListener("abort", stop, { once: true });
  let lastId = "0";
  try {
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || signal.aborted) return null;
      const reply = (await connection.xread("COUNT", 100, "BLOCK", Math.min(remaining, MAX_BLOCK_MS), "STREAMS", stream, lastId)) as
        | [string, [string, string[]][]][]
        | null;
      for (const [id, fields] of reply?.[0]?.[1] ?? []) {
        lastId = id;
        const entry = decodeInputEntry(fields);
        if (!entry) opts.logger?.warn("malformed entry on the run's input stream", { runId, entryId: id });
        else if (entry.requestId === requestId) return entry.resolution;
      }
    }
  } catch (err) {
    // The connection closed under a pending XREAD because the run was stopped: not an error.
    if (signal.aborted) return null;
    throw err;
  } finally {
    signal.removeEventListener("abort", stop);
    connection.disconnect();
  }
}
