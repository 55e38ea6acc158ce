import type { EventLog } from "../lib/eventLog";
import {
  claimInputRequest,
  readInputResolution,
  requestIdSchema,
  resolutionEvent,
  resolveInput,
  setRequestFlag,
  type InputKind,
  type InputResolution,
} from "../lib/inputArbiter";
import type { RunEmit } from "./executors/types";
import { RunSuspended } from "./input/suspension";
import { waitForInputAnswer } from "./input/waitForAnswer";
import type { Logger } from "./logger";

export type HumanInputContext = {
  eventLog: EventLog;
  emit: RunEmit;
  runId: string;
  /** The run's stop signal (cancel, run timeout, shutdown): the wait ends at once. */
  signal: AbortSignal;
  /** How long the request waits before it counts as denied, from when it was first asked. */
  timeoutSec: number;
  /**
   * The pipeline can suspend the run's job instead of waiting in it (jobs/input/suspension.ts):
   * a resumable request then throws RunSuspended rather than holding the worker slot.
   */
  canSuspend?: boolean;
  logger?: Logger;
};

export type AskOptions = {
  /**
   * The executor has saved its progress so that a resumed run asks this same request again
   * (and gets the answer given meanwhile): the run may be suspended instead of waiting.
   */
  resumable?: boolean;
};

export type HumanInputRequest = {
  /** Deterministic (derived from the tool_use id, say), so a resumed run asks the SAME request. */
  requestId: string;
  kind: InputKind;
  tool?: string;
  input?: unknown;
  question?: string;
  reasons?: string[];
};

export type HumanAnswer =
  | { decision: "approve" | "deny"; note?: string; editedInput?: unknown; remember?: boolean; by: string }
  | { answer: string; by: string }
  | { timedOut: true; decision: "deny"; reason: string };

/** The wait ended because the run was stopped; the run's signal says why. */
export class InputWaitStopped extends Error {
  constructor(cause: unknown) {
    super("stopped waiting for human input: the run was stopped", { cause });
    this.name = "InputWaitStopped";
  }
}

/**
 * Asks a person and waits for the answer: emits `input.requested` (once per request id, even
 * across a resumed run), then waits on `run:<id>:input` for the answer given on the web, which
 * may already be there (given while no worker was waiting). When `timeoutSec` has passed since
 * the request was first asked, the request is denied by "timeout", unless a person's answer
 * won the race, in which case that answer is returned.
 *
 * A resumable request of a pipeline that can suspend does not wait here: once its event is out
 * it throws RunSuspended, the job gives back its slot, and the resumed run's identical request
 * returns the answer (or the timeout) from the checks above. Otherwise the job keeps its BullMQ
 * lock while it waits: its processor is simply still running.
 */
export async function requestHumanInput(ctx: HumanInputContext, request: HumanInputRequest, options: AskOptions = {}): Promise<HumanAnswer> {
  const { eventLog, runId, signal } = ctx;
  const requestId = requestIdSchema.parse(request.requestId);
  if (signal.aborted) throw new InputWaitStopped(signal.reason);

  const { record, emitted } = await claimInputRequest(eventLog, runId, requestId, {
    kind: request.kind,
    tool: request.tool,
    requestedAt: new Date().toISOString(),
    timeoutSec: ctx.timeoutSec,
  });
  const answered = await readInputResolution(eventLog, runId, requestId);
  if (answered) return finish(ctx, requestId, answered);

  if (!emitted) {
    await ctx.emit({
      type: "input.requested",
      requestId,
      kind: request.kind,
      tool: request.tool,
      input: request.input,
      question: request.question,
      reasons: request.reasons,
    });
    await setRequestFlag(eventLog, runId, requestId, "emitted");
  }

  const deadline = Date.parse(record.requestedAt) + record.timeoutSec * 1000;
  if (ctx.canSuspend && options.resumable && Date.now() < deadline) throw new RunSuspended(requestId, deadline);
  const found = await waitForInputAnswer({ eventLog, runId, requestId, deadline, signal, logger: ctx.logger });
  if (found) return finish(ctx, requestId, found);
  if (signal.aborted) throw new InputWaitStopped(signal.reason);

  const { resolution } = await resolveInput(eventLog, runId, requestId, {
    type: "timeout",
    decision: "deny",
    reason: timeoutReason(record.timeoutSec),
    by: "timeout",
    at: new Date().toISOString(),
  });
  return finish(ctx, requestId, resolution);
}

/**
 * The answer as the caller sees it, after making sure the feed shows it: the web announces a
 * person's answer when it stores it, and this announces it too (exactly once between them) in
 * case the web died in between; a timeout only the job can announce.
 */
async function finish(ctx: HumanInputContext, requestId: string, resolution: InputResolution): Promise<HumanAnswer> {
  await ctx.emit(resolutionEvent(requestId, resolution), { onceKey: ctx.eventLog.keys.inputAnnounced(ctx.runId, requestId) });
  switch (resolution.type) {
    case "decision": {
      const { type: _t, at: _a, ...answer } = resolution;
      return answer;
    }
    case "answer":
      return { answer: resolution.answer, by: resolution.by };
    case "timeout":
      ctx.logger?.info("input request timed out", { requestId });
      return { timedOut: true, decision: "deny", reason: resolution.reason };
  }
}

/** What the agent is told when nobody answered: plain enough to act on. */
export function timeoutReason(timeoutSec: number): string {
  const span = timeoutSec % 60 === 0 ? `${timeoutSec / 60} min` : `${timeoutSec} s`;
  return `no answer within ${span}; treat as denied`;
}
