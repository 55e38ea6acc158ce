import { z } from "zod";
import { inputKinds } from "./contracts/inputRequests";
import type { EventLog } from "./eventLog";
import type { EventBodyInput } from "./events";
import { luaScript } from "./redis";

/**
 * The Redis side of a request for human input, shared by the job that asks and the web that
 * answers: arbitration and wake-up only. The request's record (what was asked, how it ended,
 * by whom) is the `input_request` table (lib/contracts/inputRequests.ts). Here a request has
 * its claim (what kind, when first asked, whether its event went out) and at most one
 * resolution: a person's answer and the job's timeout race through one Lua
 * script, so exactly one wins and the other reads the winner.
 */

/** Requests and answers outlive any wait (a week at most) and the run's review. */
export const INPUT_KEY_TTL_SEC = 14 * 24 * 3600;
/** The run's answer stream keeps about this many entries; the resolved key is the record. */
const INPUT_STREAM_MAXLEN = 1_000;

export { inputKinds, type InputKind } from "./contracts/inputRequests";

/** Request ids come from the job (a tool_use id, say); they end up in Redis keys and URLs. */
export const requestIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:-]+$/, "may contain letters, digits and _ . : - only");

export const inputRequestRecord = z.object({
  kind: z.enum(inputKinds),
  tool: z.string().optional(),
  requestedAt: z.iso.datetime(),
  timeoutSec: z.number().int().positive(),
});
export type InputRequestRecord = z.infer<typeof inputRequestRecord>;

/** The one answer a request got, as stored in Redis and appended to `run:<id>:input`. */
export const inputResolution = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("decision"),
    decision: z.enum(["approve", "deny"]),
    note: z.string().optional(),
    editedInput: z.unknown().optional(),
    remember: z.boolean().optional(),
    by: z.string(),
    at: z.iso.datetime(),
  }),
  z.object({ type: z.literal("answer"), answer: z.string(), by: z.string(), at: z.iso.datetime() }),
  z.object({
    type: z.literal("timeout"),
    decision: z.literal("deny"),
    reason: z.string(),
    by: z.literal("timeout"),
    at: z.iso.datetime(),
  }),
]);
export type InputResolution = z.infer<typeof inputResolution>;

function parseJson<T>(schema: z.ZodType<T>, text: string | null | undefined, what: string): T | null {
  if (text == null) return null;
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`malformed ${what} in Redis: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * Records a request the first time it is asked and returns the record as first stored (a
 * resumed run keeps the original time, so its deadline does not move) and whether its
 * `input.requested` event has gone out.
 */
export async function claimInputRequest(
  { redis, keys }: EventLog,
  runId: string,
  requestId: string,
  record: InputRequestRecord,
): Promise<{ record: InputRequestRecord; emitted: boolean }> {
  const key = keys.inputRequest(runId, requestId);
  const replies = await redis
    .multi()
    .hsetnx(key, "record", JSON.stringify(record))
    .hmget(key, "record", "emitted")
    .expire(key, INPUT_KEY_TTL_SEC)
    .exec();
  const [err, values] = replies?.[1] ?? [new Error("MULTI was discarded"), null];
  if (err) throw err;
  const [stored, emitted] = values as [string | null, string | null];
  return { record: parseJson(inputRequestRecord, stored, "input request")!, emitted: emitted === "1" };
}

/**
 * The feed's `input.resolved` for a resolution. Both the web (which stored a person's answer)
 * and the waiting job (which received it, or timed out) announce it through
 * `appendEventOnce(…, keys.inputAnnounced(…))`, so it appears exactly once even if the web
 * dies between storing the answer and announcing it.
 */
export function resolutionEvent(requestId: string, resolution: InputResolution): EventBodyInput {
  switch (resolution.type) {
    case "timeout":
      return { type: "input.resolved", requestId, decision: "deny", by: "timeout" };
    case "answer":
      return { type: "input.resolved", requestId, answer: resolution.answer, by: resolution.by };
    case "decision":
      return {
        type: "input.resolved",
        requestId,
        decision: resolution.decision,
        by: resolution.by,
        ...(resolution.note ? { note: resolution.note } : {}),
        ...(resolution.editedInput !== undefined ? { editedInput: resolution.editedInput } : {}),
        ...(resolution.remember ? { remember: true } : {}),
      };
  }
}

/**
 * A flag on a request's record: its `input.requested` went out. Set after the event, so a
 * crash in between repeats an event rather than losing one.
 */
export type RequestFlag = "emitted";

export async function setRequestFlag({ redis, keys }: EventLog, runId: string, requestId: string, flag: RequestFlag): Promise<void> {
  await redis.hset(keys.inputRequest(runId, requestId), flag, "1");
}

export async function hasRequestFlag({ redis, keys }: EventLog, runId: string, requestId: string, flag: RequestFlag): Promise<boolean> {
  return (await redis.hget(keys.inputRequest(runId, requestId), flag)) === "1";
}

export async function readInputRequest({ redis, keys }: EventLog, runId: string, requestId: string): Promise<InputRequestRecord | null> {
  return parseJson(inputRequestRecord, await redis.hget(keys.inputRequest(runId, requestId), "record"), "input request");
}

export async function readInputResolution({ redis, keys }: EventLog, runId: string, requestId: string): Promise<InputResolution | null> {
  return parseJson(inputResolution, await redis.get(keys.inputResolved(runId, requestId)), "input resolution");
}

// The arbitration: whoever sets the resolved key first wins, and only the winner's answer is
// appended to the run's answer stream, in the same atomic step (so a waiting job never sees
// an answer that lost). The loser gets the winner's answer back.
const RESOLVE_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[3]) then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'requestId', ARGV[2], 'data', ARGV[1])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  return {1, ARGV[1]}
end
return {0, redis.call('GET', KEYS[1])}
`;

const resolveScript = luaScript<[number, string]>("agentdeskResolveInput", 2, RESOLVE_SCRIPT);

/** Resolves a request unless something else did first; returns who won and the answer that stands. */
export async function resolveInput(
  { redis, keys }: EventLog,
  runId: string,
  requestId: string,
  resolution: InputResolution,
): Promise<{ won: boolean; resolution: InputResolution }> {
  const [won, data] = await resolveScript(
    redis,
    [keys.inputResolved(runId, requestId), keys.runInput(runId)],
    [JSON.stringify(inputResolution.parse(resolution)), requestId, INPUT_KEY_TTL_SEC, INPUT_STREAM_MAXLEN],
  );
  return { won: won === 1, resolution: parseJson(inputResolution, data, "input resolution")! };
}

/** One entry of `run:<id>:input`: which request it answers and the answer, or null if malformed. */
export function decodeInputEntry(fields: string[]): { requestId: string; resolution: InputResolution } | null {
  const map: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!;
  if (!map.requestId || !map.data) return null;
  try {
    const parsed = inputResolution.safeParse(JSON.parse(map.data));
    return parsed.success ? { requestId: map.requestId, resolution: parsed.data } : null;
  } catch {
    return null;
  }
}
