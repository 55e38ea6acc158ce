import { z } from "zod";
import { runStatuses } from "./runLifecycle";

/**
 * A "run change": the note the recorder adds to the run-changes stream (eventLogKeys
 * `runChanges`) after it has written an event that changed a run into the database. Each web
 * process reads that stream once and hands every change to the live channels
 * (GET /api/events) of the users who may see the run; browsers refetch what they show.
 * Delivery is at least once (a re-delivered event is noted again): clients tolerate repeats.
 * Pure (no database, no Redis), so the browser can import the shape too.
 *
 * kind: created (the run was queued), status (a status-moving event), usage (running
 * totals), input (an input request opened or closed; requestId says which), details (other
 * columns of the run: branch, head commit, error).
 */
export const runChangeKinds = ["created", "status", "usage", "input", "details"] as const;
export type RunChangeKind = (typeof runChangeKinds)[number];

export const runChange = z.strictObject({
  runId: z.string().min(1),
  /** The run's owner (notifications go to them). */
  userId: z.string().min(1),
  /** The run's team: whose members may see it (lib/services/runVisibility.ts). */
  teamId: z.string().min(1),
  /** The run's status once the change was written. */
  status: z.enum(runStatuses),
  kind: z.enum(runChangeKinds),
  requestId: z.string().min(1).optional(),
  /** When the event that caused it happened. */
  at: z.iso.datetime(),
});
export type RunChange = z.infer<typeof runChange>;

/** The SSE event types of the live channel. */
export const liveChannelEvents = {
  /** One run change; its SSE id is the change's stream id. */
  change: "change",
  /** The connection resumed exactly after the client's Last-Event-ID: nothing was missed. */
  ready: "ready",
  /** Changes may have been missed (first connection, or an id the stream no longer holds): refetch everything. */
  resync: "resync",
} as const;

/** Data of a `resync` event: why the client must refetch. */
export const resyncReasons = ["fresh", "trimmed", "unknown"] as const;
export type ResyncReason = (typeof resyncReasons)[number];

/** The stream entry's fields for a change: one `data` field holding its JSON. */
export function encodeRunChange(change: RunChange): string[] {
  return ["data", JSON.stringify(runChange.parse(change))];
}

/** A stream entry's fields as a validated change, or why they are not one (the caller logs it). */
export function decodeRunChange(fields: string[]): { change: RunChange } | { reason: string } {
  const at = fields.indexOf("data");
  if (at < 0 || at % 2 !== 0 || at + 1 >= fields.length) return { reason: "entry has no data field" };
  let raw: unknown;
  try {
    raw = JSON.parse(fields[at + 1]!);
  } catch (err) {
    return { reason: `data is not JSON: ${(err as Error).message}` };
  }
  const parsed = runChange.safeParse(raw);
  if (parsed.success) return { change: parsed.data };
  return { reason: `not a run change: ${parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(change)"}: ${i.message}`).join("; ")}` };
}
