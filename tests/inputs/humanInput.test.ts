import { describe, expect, it } from "vitest";
import { createRunEmitter } from "../../jobs/emit";
import { InputWaitStopped, requestHumanInput, type HumanInputContext, type HumanInputRequest } from "../../jobs/humanInput";
import type { RunEvent, RunEventOf } from "../../lib/events";
import { appendEventOnce } from "../../lib/eventLog";
import { readInputResolution, resolutionEvent, resolveInput, type InputResolution } from "../../lib/inputArbiter";
import { allEvents } from "../jobs/helpers";
import { newRunId, jobEventLogForFile } from "./support";

/**
 * The job side of human input against real Redis: the wait, its timeout, the race between a
 * person's answer and the timeout, cancellation, and a wait that outlives its worker.
 */
const jobSide = jobEventLogForFile();

function context(runId: string, overrides: Partial<HumanInputContext> = {}): HumanInputContext {
  return { eventLog: jobSide.log(), emit: createRunEmitter(jobSide.log(), runId, []), runId, signal: new AbortController().signal, timeoutSec: 60, ...overrides };
}

const approval = (requestId = "toolu_01"): HumanInputRequest => ({
  requestId,
  kind: "approval",
  tool: "shell",
  input: { command: "rm -rf build" },
  reasons: ["deletes files"],
});

const personApproves = (by = "owner@example.com"): InputResolution => ({
  type: "decision",
  decision: "approve",
  note: "fine",
  by,
  at: new Date().toISOString(),
});

const ofType = <T extends RunEvent["type"]>(events: RunEvent[], type: T) => events.filter((e) => e.type === type) as RunEventOf<T>[];

async function untilRequested(runId: string, count = 1): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (ofType(await allEvents(jobSide.log(), runId), "input.requested").length < count) {
    if (Date.now() > deadline) throw new Error("input.requested never appeared");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The entries of the run's answer stream for one request. */
async function answersFor(runId: string, requestId: string) {
  const entries = await jobSide.redis().xrange(jobSide.log().keys.runInput(runId), "-", "+");
  return entries.filter(([, fields]) => fields[fields.indexOf("requestId") + 1] === requestId);
}

describe("requestHumanInput", () => {
  it("emits input.requested and resumes within a second of the answer", async () => {
    const runId = newRunId();
    const waiting = requestHumanInput(context(runId), approval());
    await untilRequested(runId);
    const [requested] = ofType(await allEvents(jobSide.log(), runId), "input.requested");
    expect(requested).toMatchObject({ requestId: "toolu_01", kind: "approval", tool: "shell", input: { command: "rm -rf build" }, reasons: ["deletes files"] });

    const answeredAt = Date.now();
    await resolveInput(jobSide.log(), runId, "toolu_01", personApproves());
    const answer = await waiting;
    expect(Date.now() - answeredAt).toBeLessThan(1_000);
    expect(answer).toEqual({ decision: "approve", note: "fine", by: "owner@example.com" });
  });

  it("returns a question's answer text", async () => {
    const runId = newRunId();
    const waiting = requestHumanInput(context(runId), { requestId: "q1", kind: "question", question: "Which port?" });
    await untilRequested(runId);
    await resolveInput(jobSide.log(), runId, "q1", { type: "answer", answer: "8080", by: "owner@example.com", at: new Date().toISOString() });
    expect(await waiting).toEqual({ answer: "8080", by: "owner@example.com" });
  });

  it("denies on timeout with a reason for the agent and emits input.resolved by timeout", async () => {
    const runId = newRunId();
    const answer = await requestHumanInput(context(runId, { timeoutSec: 1 }), approval());
    expect(answer).toEqual({ timedOut: true, decision: "deny", reason: "no answer within 1 s; treat as denied" });
    const resolved = ofType(await allEvents(jobSide.log(), runId), "input.resolved");
    expect(resolved).toEqual([expect.objectContaining({ requestId: "toolu_01", decision: "deny", by: "timeout" })]);
    // A person who answers afterwards loses to the timeout and reads its result.
    const late = await resolveInput(jobSide.log(), runId, "toolu_01", personApproves());
    expect(late.won).toBe(false);
    expect(late.resolution).toMatchObject({ type: "timeout", by: "timeout" });
  });

  it("says minutes in the default 30 minute timeout's reason", async () => {
    const { timeoutReason } = await import("../../jobs/humanInput");
    expect(timeoutReason(1800)).toBe("no answer within 30 min; treat as denied");
  });

  it("resolves exactly once when an answer and the timeout race", async () => {
    // Runs side by side, each answered at a different moment around its deadline.
    const outcomes = await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        const runId = newRunId();
        const waiting = requestHumanInput(context(runId, { timeoutSec: 1 }), approval());
        await untilRequested(runId);
        const { requestedAt } = JSON.parse((await jobSide.redis().hget(jobSide.log().keys.inputRequest(runId, "toolu_01"), "record"))!) as { requestedAt: string };
        const answerAt = Date.parse(requestedAt) + 1_000 - 40 + i * 5;
        await new Promise((r) => setTimeout(r, Math.max(0, answerAt - Date.now())));
        const web = await resolveInput(jobSide.log(), runId, "toolu_01", personApproves());
        const answer = await waiting;

        expect(await answersFor(runId, "toolu_01")).toHaveLength(1);
        const stored = await readInputResolution(jobSide.log(), runId, "toolu_01");
        const timeoutEvents = ofType(await allEvents(jobSide.log(), runId), "input.resolved").filter((e) => e.by === "timeout");
        if (web.won) {
          expect(answer).toMatchObject({ decision: "approve", by: "owner@example.com" });
          expect(stored?.type).toBe("decision");
          expect(timeoutEvents).toHaveLength(0);
          return "person";
        }
        expect(answer).toMatchObject({ timedOut: true, decision: "deny" });
        expect(web.resolution.type).toBe("timeout");
        expect(stored?.type).toBe("timeout");
        expect(timeoutEvents).toHaveLength(1);
        return "timeout";
      }),
    );
    expect(outcomes).toHaveLength(16);
  });

  it("stops waiting promptly when the run is cancelled", async () => {
    const runId = newRunId();
    const controller = new AbortController();
    const waiting = requestHumanInput(context(runId, { signal: controller.signal }), approval());
    await untilRequested(runId);
    const stoppedAt = Date.now();
    controller.abort({ kind: "cancel", by: "owner@example.com" });
    await expect(waiting).rejects.toBeInstanceOf(InputWaitStopped);
    expect(Date.now() - stoppedAt).toBeLessThan(500);
    // Nothing was resolved: the request stays open for a resumed run or the run's end.
    expect(await readInputResolution(jobSide.log(), runId, "toolu_01")).toBeNull();
  });

  it("picks up an answer given while no worker was waiting, and asks a resumed run's request once", async () => {
    const runId = newRunId();
    // First delivery: asks, then its worker goes away mid-wait.
    const firstWorker = new AbortController();
    const first = requestHumanInput(context(runId, { signal: firstWorker.signal }), approval("toolu_restart"));
    await untilRequested(runId);
    firstWorker.abort({ kind: "shutdown" });
    await expect(first).rejects.toBeInstanceOf(InputWaitStopped);

    // The person answers while no job process is waiting.
    await resolveInput(jobSide.log(), runId, "toolu_restart", personApproves());

    // Second delivery asks the same request again: the answer is there, nothing is re-asked.
    const answer = await requestHumanInput(context(runId), approval("toolu_restart"));
    expect(answer).toMatchObject({ decision: "approve", by: "owner@example.com" });
    expect(ofType(await allEvents(jobSide.log(), runId), "input.requested")).toHaveLength(1);
  });

  it("asks a resumed run's open request once and keeps waiting for it", async () => {
    const runId = newRunId();
    const firstWorker = new AbortController();
    const first = requestHumanInput(context(runId, { signal: firstWorker.signal }), approval());
    await untilRequested(runId);
    firstWorker.abort({ kind: "shutdown" });
    await expect(first).rejects.toBeInstanceOf(InputWaitStopped);

    const second = requestHumanInput(context(runId), approval());
    await new Promise((r) => setTimeout(r, 200));
    await resolveInput(jobSide.log(), runId, "toolu_01", personApproves());
    expect(await second).toMatchObject({ decision: "approve" });
    expect(ofType(await allEvents(jobSide.log(), runId), "input.requested")).toHaveLength(1);
  });

  it("counts the timeout from the first ask, so a resumed run does not wait all over again", async () => {
    const runId = newRunId();
    const firstWorker = new AbortController();
    const first = requestHumanInput(context(runId, { signal: firstWorker.signal, timeoutSec: 1 }), approval());
    await untilRequested(runId);
    firstWorker.abort({ kind: "shutdown" });
    await expect(first).rejects.toBeInstanceOf(InputWaitStopped);
    await new Promise((r) => setTimeout(r, 1_100));

    const started = Date.now();
    const answer = await requestHumanInput(context(runId, { timeoutSec: 1 }), approval());
    expect(answer).toMatchObject({ timedOut: true });
    expect(Date.now() - started).toBeLessThan(500);
    expect(ofType(await allEvents(jobSide.log(), runId), "input.resolved")).toHaveLength(1);
  });

  it("refuses a request id that cannot be a Redis key or URL segment", async () => {
    await expect(requestHumanInput(context(newRunId()), approval("has spaces/and slashes"))).rejects.toThrow(/may contain/);
  });
});

describe("announcing a resolution in the feed", () => {
  it("is done by the job when the web stored an answer but died before announcing it, exactly once", async () => {
    const runId = newRunId();
    const waiting = requestHumanInput(context(runId), approval("toolu_crash"));
    await untilRequested(runId);
    // The web's arbitration step ran (the answer is stored); its announcement never happened.
    await resolveInput(jobSide.log(), runId, "toolu_crash", personApproves("ada@example.com"));
    await waiting;
    const resolved = ofType(await allEvents(jobSide.log(), runId), "input.resolved");
    expect(resolved).toEqual([expect.objectContaining({ requestId: "toolu_crash", decision: "approve", note: "fine", by: "ada@example.com" })]);
  });

  it("is not repeated by the job when the web already announced it", async () => {
    const runId = newRunId();
    const log = jobSide.log();
    const waiting = requestHumanInput(context(runId), approval("toolu_web"));
    await untilRequested(runId);
    const resolution = personApproves("ada@example.com");
    await resolveInput(log, runId, "toolu_web", resolution);
    // What lib/services/inputs.ts does after storing the answer.
    await appendEventOnce(log, runId, resolutionEvent("toolu_web", resolution), log.keys.inputAnnounced(runId, "toolu_web"));
    await waiting;
    // A resumed run asking the same request again reads the answer and still does not repeat it.
    await requestHumanInput(context(runId), approval("toolu_web"));
    expect(ofType(await allEvents(log, runId), "input.resolved")).toHaveLength(1);
  });
});
