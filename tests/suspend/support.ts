import type { Queue } from "bullmq";
import { appendEventOnce, type EventLog } from "../../lib/eventLog";
import { resolutionEvent, resolveInput } from "../../lib/inputArbiter";
import type { JobPayload } from "../../lib/queue";
import { eventually } from "../jobs/helpers";
import { turn, type FakeTurn, type RecordedRequest } from "../support/fakeAnthropic";

/** The risky call every scripted run makes first; its approval is `approve-t_wait`. */
export const WAITING_CALL = "t_wait";
export const WAITING_REQUEST = `approve-${WAITING_CALL}`;

/**
 * A model for many runs at once: each conversation's first request answers with a risky
 * command (asks for approval in mode risky), any later one ends the run. Chosen per request,
 * so concurrent runs do not share a script position.
 */
export function askOnceThenFinish(command = "rm -rf build && echo removed > removed.txt") {
  return (request: RecordedRequest): FakeTurn =>
    request.body.messages.length === 1 ? turn.tool("shell", { command }, { id: WAITING_CALL }) : turn.text("Done.");
}

/** Resolves once the run's job sits in BullMQ's delayed set: suspended, holding no worker. */
export async function waitUntilSuspended(queue: Queue<JobPayload>, jobId: string, timeoutMs = 20_000): Promise<void> {
  await eventually(async () => ((await queue.getJobState(jobId)) === "delayed" ? true : undefined), timeoutMs);
}

/**
 * A person's answer as the web stores it (lib/services/inputs.ts): the atomic resolve, then
 * `input.resolved` under the request's once-key, which the resumed job also announces under.
 * True if this answer won (no other answer or timeout came first).
 */
export async function answerAsTheWeb(
  log: EventLog,
  runId: string,
  requestId: string,
  answer: { decision: "approve" | "deny" } | { answer: string } = { decision: "approve" },
): Promise<boolean> {
  const by = "owner@example.com";
  const at = new Date().toISOString();
  const { won, resolution } = await resolveInput(
    log,
    runId,
    requestId,
    "answer" in answer ? { type: "answer", answer: answer.answer, by, at } : { type: "decision", decision: answer.decision, by, at },
  );
  await appendEventOnce(log, runId, resolutionEvent(requestId, resolution), log.keys.inputAnnounced(runId, requestId));
  return won;
}

export const approveAsTheWeb = (log: EventLog, runId: string, requestId: string) => answerAsTheWeb(log, runId, requestId);
