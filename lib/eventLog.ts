import type { Redis } from "ioredis";
import {
  eventBody,
  jobEndingEventTypes,
  runEvent,
  type EventBodyInput,
  type RunEvent,
  type StoredEvent,
} from "./events";
import { luaScript } from "./redis";
import { storableDeep } from "./storableText";

/**
 * Redis keys of the live event log (DESIGN.md "Processes"). The namespace is empty in
 * production, giving exactly the documented names; tests and side-by-side installs set
 * REDIS_PREFIX so they never see each other's runs.
 */
export function eventLogKeys(namespace = "") {
  const ns = namespace;
  return {
    runEvents: (runId: string) => `${ns}run:${runId}:events`,
    runSeq: (runId: string) => `${ns}run:${runId}:seq`,
    runInput: (runId: string) => `${ns}run:${runId}:input`,
    // One human-input request: what was asked (and whether its event went out), and the one
    // answer that won (a person's or the timeout's); see lib/inputArbiter.ts.
    inputRequest: (runId: string, requestId: string) => `${ns}run:${runId}:input:${requestId}:request`,
    inputResolved: (runId: string, requestId: string) => `${ns}run:${runId}:input:${requestId}:resolved`,
    // Set with the `input.resolved` event itself: the feed shows each resolution exactly once.
    inputAnnounced: (runId: string, requestId: string) => `${ns}run:${runId}:input:${requestId}:announced`,
    runEnded: (runId: string) => `${ns}run:${runId}:ended`,
    runCancel: (runId: string) => `${ns}run:${runId}:cancel`,
    // The run's branch as a git bundle (base..head), so any job process can resume or push it.
    runBundle: (runId: string) => `${ns}run:${runId}:bundle`,
    // The agent's conversation after its last completed step, so a killed run resumes there.
    runCheckpoint: (runId: string) => `${ns}run:${runId}:checkpoint`,
    // The executor's state when the run reached review: a "request changes" continues from it.
    runConversation: (runId: string) => `${ns}run:${runId}:conversation`,
    // Set once the follow-up job of a review decision has finished (it must not run twice).
    runFollowUpDone: (runId: string, decisionId: string) => `${ns}run:${runId}:followup:${decisionId}:done`,
    // Push jobs: one job process pushes a run at a time; a decision's outcome is recorded once.
    runPushLock: (runId: string) => `${ns}run:${runId}:push-lock`,
    pushOutcome: (decisionId: string) => `${ns}push:${decisionId}:outcome`,
    allEvents: `${ns}events:all`,
    cancelChannel: `${ns}agentdesk:cancel`,
    // Runs whose job sleeps until a person answers (run id → job and request); jobs/input/suspension.ts.
    suspendedRuns: `${ns}agentdesk:suspended-runs`,
    // What the recorder changed on runs, once written (lib/contracts/runChanges.ts): the users' live channels.
    runChanges: `${ns}agentdesk:run-changes`,
    // Users whose access changed (disabled, removed, role): every web process ends their live streams (lib/server/accessHub.ts).
    accessChanges: `${ns}agentdesk:access-changes`,
  };
}
export type EventLogKeys = ReturnType<typeof eventLogKeys>;

/** A Redis connection and the key names in its namespace: what every event-log call needs. */
export type EventLog = { redis: Redis; keys: EventLogKeys };

export function createEventLog(redis: Redis, namespace = ""): EventLog {
  return { redis, keys: eventLogKeys(namespace) };
}

/** A run's own stream keeps about this many entries; older ones are replayed from the database. */
export const RUN_STREAM_MAXLEN = 10_000;
/** Streams of finished runs expire; the database keeps the record. */
const ENDED_TTL_SEC = 3 * 24 * 3600;

// One atomic step: number the event, append it to the run's stream, and hand the same entry
// (with the run stream's id) to the recorder's stream. Doing this in Lua means a crash can
// never leave an event visible to browsers but missing from the database, or the reverse.
// KEYS[5], when given, makes the append happen at most once: the key is set with the event,
// and an append that finds it set does nothing (two processes may race to announce one fact).
// KEYS[6], when given, is the BullMQ lock of the job appending (fencing, jobs/run/fence.ts):
// unless it still holds ARGV[8] (this delivery's lock token) the append is refused, so an
// attempt that lost its job (paused past its lock, taken over) can never add an event.
// ARGV[9], when not empty, is the stream id the run's stream must end at ("-": empty stream):
// a compare-and-swap for writers that decided what to append from what they read (reconciler).
const APPEND_SCRIPT = `
if KEYS[6] ~= '' and redis.call('GET', KEYS[6]) ~= ARGV[8] then
  return redis.error_reply('STALE_ATTEMPT this attempt no longer holds its job lock')
end
if ARGV[9] ~= '' then
  local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
  local tail = '-'
  if last[1] then tail = last[1][1] end
  if tail ~= ARGV[9] then return false end
end
if KEYS[5] ~= '' then
  if not redis.call('SET', KEYS[5], '1', 'NX', 'EX', ARGV[7]) then return false end
end
local seq = redis.call('INCR', KEYS[2])
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'seq', seq, 'data', ARGV[2])
redis.call('XADD', KEYS[3], '*', 'run', ARGV[3], 'id', id, 'seq', seq, 'data', ARGV[2])
if ARGV[4] == '1' then
  redis.call('SET', KEYS[4], ARGV[5], 'EX', ARGV[6])
  redis.call('EXPIRE', KEYS[1], ARGV[6])
  redis.call('EXPIRE', KEYS[2], ARGV[6])
end
return {id, seq}
`;

/**
 * The attempt appending (or writing) no longer holds its job's lock: another delivery owns
 * the run now, or BullMQ gave the job up. Nothing it does may reach the run any more.
 */
export class StaleAttemptError extends Error {
  constructor(runId: string, what = "append an event") {
    super(`this attempt of run ${runId} lost its job lock; it may no longer ${what}`);
    this.name = "StaleAttemptError";
  }
}

/** Conditions an append must meet, checked in the same atomic step as the append. */
export type AppendGuard = {
  /** The appending delivery's BullMQ job lock: refused (StaleAttemptError) unless still held. */
  lock?: { key: string; token: string };
  /** Appended only if the run's stream still ends at this id (null: is empty); else null. */
  expectTail?: string | null;
};

const appendScript = luaScript<[string, number] | null>("agentdeskAppendGuarded", 6, APPEND_SCRIPT);

/**
 * Appends one event to a run's log. The body is validated against the shared schema first, so
 * a malformed event fails in the process that made it, not in a browser.
 */
export async function appendEvent(
  log: EventLog,
  runId: string,
  body: EventBodyInput,
  now: Date = new Date(),
  guard: Pick<AppendGuard, "lock"> = {},
): Promise<StoredEvent> {
  // Without a tail to compare or a once-key, the script appends or throws: never null.
  return (await appendOnce(log, runId, body, "", now, guard))!;
}

/**
 * Appends an event only if the run's stream still ends at `tail` (null: the stream is empty
 * or gone). Returns null when something was appended in between: the caller decided on what
 * it read, and must read again.
 */
export async function appendEventIfTail(
  log: EventLog,
  runId: string,
  body: EventBodyInput,
  tail: string | null,
): Promise<StoredEvent | null> {
  return appendOnce(log, runId, body, "", new Date(), { expectTail: tail });
}

const ONCE_TTL_SEC = 14 * 24 * 3600;

/**
 * Appends an event unless one was already appended under `onceKey` (kept two weeks): for facts
 * that more than one process may announce, such as an answer both the web (which stored it)
 * and the waiting job (which received it) can report. Returns null when it was already there.
 */
export async function appendEventOnce(
  log: EventLog,
  runId: string,
  body: EventBodyInput,
  onceKey: string,
  now: Date = new Date(),
  guard: Pick<AppendGuard, "lock"> = {},
): Promise<StoredEvent | null> {
  if (!onceKey) throw new Error("appendEventOnce needs a key");
  return appendOnce(log, runId, body, onceKey, now, guard);
}

async function appendOnce(
  { redis, keys }: EventLog,
  runId: string,
  body: EventBodyInput,
  onceKey: string,
  now: Date,
  guard: AppendGuard,
): Promise<StoredEvent | null> {
  // Text PostgreSQL cannot store (a NUL in command output) is escaped here, before anyone sees
  // it, so the live feed and the recorded run show the same thing (lib/storableText.ts).
  const parsed = storableDeep(eventBody.parse(body));
  const at = now.toISOString();
  const data = JSON.stringify({ ...parsed, at });
  const ended = jobEndingEventTypes.has(parsed.type);
  const tail = guard.expectTail === undefined ? "" : (guard.expectTail ?? "-");
  const appended = await appendScript(
    redis,
    [keys.runEvents(runId), keys.runSeq(runId), keys.allEvents, keys.runEnded(runId), onceKey, guard.lock?.key ?? ""],
    [RUN_STREAM_MAXLEN, data, runId, ended ? "1" : "0", parsed.type, ENDED_TTL_SEC, ONCE_TTL_SEC, guard.lock?.token ?? "", tail],
  ).catch((e: unknown) => {
    if (e instanceof Error && e.message.startsWith("STALE_ATTEMPT")) throw new StaleAttemptError(runId);
    throw e;
  });
  if (!appended) return null;
  const [id, seq] = appended;
  return { id, event: { ...parsed, runId, seq: Number(seq), at } as RunEvent };
}

/** A stream entry's fields (name, value, name, value, …) as an object. */
export function entryFields(fields: string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!;
  return map;
}

/** Decodes one stream entry's fields into a validated event, or says why it is not one. */
export function decodeEntryOrReason(runId: string, fields: string[]): { event: RunEvent } | { reason: string } {
  const map = entryFields(fields);
  if (!map.data || !map.seq) return { reason: "entry has no data or seq field" };
  let raw: unknown;
  try {
    raw = JSON.parse(map.data);
  } catch (err) {
    return { reason: `data is not JSON: ${(err as Error).message}` };
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return { reason: "data is not a JSON object" };
  const parsed = runEvent.safeParse({ ...raw, runId: map.run ?? runId, seq: Number(map.seq) });
  if (parsed.success) return { event: parsed.data };
  const issues = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(event)"}: ${i.message}`);
  return { reason: `not a valid event: ${issues.join("; ")}` };
}

/** Decodes one stream entry's fields into a validated event, or null if it is not one. */
export function decodeEntry(runId: string, fields: string[]): RunEvent | null {
  const decoded = decodeEntryOrReason(runId, fields);
  return "event" in decoded ? decoded.event : null;
}

/** Events of a run's stream strictly after `afterId` ("0" for all), oldest first. */
export async function readRunEvents(
  { redis, keys }: EventLog,
  runId: string,
  afterId: string,
  count = 500,
): Promise<StoredEvent[]> {
  const start = afterId === "0" || afterId === "0-0" ? "-" : `(${afterId}`;
  const entries = await redis.xrange(keys.runEvents(runId), start, "+", "COUNT", count);
  const out: StoredEvent[] = [];
  for (const [id, fields] of entries) {
    const event = decodeEntry(runId, fields);
    if (event) out.push({ id, event });
  }
  return out;
}

/** The oldest id still held by a run's stream, or null if the stream is empty or gone. */
export async function oldestRunEventId({ redis, keys }: EventLog, runId: string): Promise<string | null> {
  const first = await redis.xrange(keys.runEvents(runId), "-", "+", "COUNT", 1);
  return first[0]?.[0] ?? null;
}

export const STREAM_ID = /^\d{1,15}-\d{1,10}$/;

export function parseStreamId(id: string): { ms: number; seq: number } {
  if (!STREAM_ID.test(id)) throw new Error(`not a stream id: ${id}`);
  const [ms, seq] = id.split("-");
  return { ms: Number(ms), seq: Number(seq) };
}

export function compareStreamIds(a: string, b: string): number {
  const x = parseStreamId(a);
  const y = parseStreamId(b);
  return x.ms - y.ms || x.seq - y.seq;
}

/** Whether the job for a run has already ended (a re-delivered job must not run again). */
export async function runEndedAs({ redis, keys }: EventLog, runId: string): Promise<string | null> {
  return redis.get(keys.runEnded(runId));
}

/** Asks every job process to cancel a run; the flag also covers a job not yet picked up. */
export async function requestCancel({ redis, keys }: EventLog, runId: string, by: string): Promise<void> {
  await redis
    .multi()
    .set(keys.runCancel(runId), by, "EX", ENDED_TTL_SEC)
    .publish(keys.cancelChannel, runId)
    .exec();
}

export async function cancelRequestedBy({ redis, keys }: EventLog, runId: string): Promise<string | null> {
  return redis.get(keys.runCancel(runId));
}
