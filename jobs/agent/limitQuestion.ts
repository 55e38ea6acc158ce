import type { RequestInput } from "../executors/types";
import type { LimitStop } from "./limits";

const CHOICES = "Approve to let the run go on with the limit raised by one more step; deny (or leave it unanswered) to stop the run here: it fails, and its changes so far end with it.";

/**
 * A limit the run reached, put to its owner as an approval request rather than a free-text
 * question: the answer is a yes or no, and the card then needs no parsing of prose. Resolves
 * true to go on; a denial or the input timeout stop the run. `requestId` must be derived from
 * the step that reached the limit, so a resumed run asks the same request.
 */
export async function mayGoOnPast(stop: LimitStop, requestId: string, ask: RequestInput): Promise<boolean> {
  const answer = await ask({ requestId, kind: "approval", question: stop.question, reasons: [CHOICES] });
  if ("answer" in answer) throw new Error(`limit request ${requestId} got a question's answer instead of a decision`);
  return !("timedOut" in answer) && answer.decision === "approve";
}
