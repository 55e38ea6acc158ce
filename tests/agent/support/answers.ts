import { endsStream, type RunEventOf } from "../../../lib/events";
import { appendEvent, type EventLog } from "../../../lib/eventLog";
import { resolveInput, type InputResolution } from "../../../lib/inputArbiter";
import { allEvents } from "../../jobs/helpers";

/**
 * A person answering a run's requests, for job-side tests without the web: the answer goes
 * through the same atomic Redis step the web's answer path uses (resolveInput, which the
 * timeout races), and `input.resolved` is appended as the web appends it. The database part
 * of that path is tested in tests/inputs/answer.db.test.ts.
 */
export const OWNER = "owner@example.com";

export type PersonAnswer =
  | { decision: "approve" | "deny"; note?: string; editedInput?: unknown; remember?: boolean }
  | { answer: string };

export type InputRequested = RunEventOf<"input.requested">;

export async function answerRequest(log: EventLog, runId: string, requestId: string, answer: PersonAnswer): Promise<void> {
  const at = new Date().toISOString();
  const resolution: InputResolution = "answer" in answer ? { type: "answer", by: OWNER, at, ...answer } : { type: "decision", by: OWNER, at, ...answer };
  const { won } = await resolveInput(log, runId, requestId, resolution);
  if (!won) throw new Error(`request ${requestId} of ${runId} was already resolved`);
  await appendEvent(log, runId, { type: "input.resolved", requestId, by: OWNER, ...answer });
}

/** Resolves with the run's `index`-th input request (0-based) once it has been asked. */
export async function waitForRequest(log: EventLog, runId: string, index = 0, timeoutMs = 20_000): Promise<InputRequested> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await allEvents(log, runId);
    const requested = events.filter((e): e is InputRequested => e.type === "input.requested");
    if (requested[index]) return requested[index];
    if (events.some(endsStream)) throw new Error(`run ${runId} ended without input request #${index}`);
    if (Date.now() > deadline) throw new Error(`input request #${index} of ${runId} never came; have: ${events.map((e) => e.type).join(", ")}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Answers every request of the run as `decide` says, in order, until the run's job ends.
 * Resolves with the requests it answered.
 */
export async function answerEveryRequest(
  log: EventLog,
  runId: string,
  decide: (request: InputRequested, index: number) => PersonAnswer,
  timeoutMs = 30_000,
): Promise<InputRequested[]> {
  const answered: InputRequested[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await allEvents(log, runId);
    const requested = events.filter((e): e is InputRequested => e.type === "input.requested");
    for (const request of requested.slice(answered.length)) {
      await answerRequest(log, runId, request.requestId, decide(request, answered.length));
      answered.push(request);
    }
    if (events.some(endsStream)) return answered;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not end; have: ${events.map((e) => e.type).join(", ")}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
