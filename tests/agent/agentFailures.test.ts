import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestCancel } from "../../lib/eventLog";
import { runStateKeys } from "../../lib/runRetention";
import type { RunJobPayload } from "../../lib/queue";
import { turn, type FakeScript } from "../support/fakeAnthropic";
import { allEvents, hasEnded, hasType, waitForEvents } from "../jobs/helpers";
import { lastEvent, ofType, startAgentHarness, type AgentHarness } from "./agentHarness";
import { answerEveryRequest } from "./support/answers";

let h: AgentHarness;

beforeAll(async () => {
  h = await startAgentHarness({ files: { "a.txt": "a\n" }, env: { AGENT_BUDGET_USD: "0.05" } });
});
afterAll(async () => {
  await h?.close();
});

const warnings = (events: Awaited<ReturnType<AgentHarness["run"]>>["events"]) =>
  ofType(events, "log").filter((e) => e.level === "warn").map((e) => e.message);

describe("agent executor: the model API failing", () => {
  it("retries 429 (honouring retry-after), 529, 500 and a reset connection, shown in the feed, then succeeds", async () => {
    const started = Date.now();
    const { events } = await h.run([
      turn.error(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", "1"),
      turn.error(529, "overloaded_error", "Overloaded"),
      turn.error(500, "api_error", "Internal server error"),
      turn.reset(),
      { ...turn.text("Partial answer that never finishes"), resetAfterEvents: 4 },
      turn.text("All good."),
    ]);
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    const retries = warnings(events);
    expect(retries).toHaveLength(5);
    expect(retries[0]).toBe("model API rate limit reached (429); retrying in 1 s, attempt 2 of 6");
    expect(retries[1]).toMatch(/^model API overloaded \(529\); retrying in [\d.]+ s, attempt 3 of 6$/);
    expect(retries[2]).toMatch(/^model API error \(500\); retrying in [\d.]+ s, attempt 4 of 6$/);
    expect(retries[3]).toMatch(/^could not reach the model API \(connection error.*attempt 5 of 6$/);
    expect(retries[4]).toMatch(/^model API stream interrupted .*attempt 6 of 6$/);
    // retry-after: 1 was waited for.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(h.fake.requests.slice(-6).map((r) => r.body.messages.length)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("gives up after six attempts with the last error", async () => {
    const { events } = await h.run(Array.from({ length: 6 }, () => turn.error(529, "overloaded_error", "Overloaded")));
    expect(warnings(events)).toHaveLength(5);
    expect(lastEvent(events)).toMatchObject({
      type: "run.failed",
      error: "model API overloaded (529); gave up after 6 attempts",
    });
  });

  it("fails at once with an actionable message when the key is rejected (401)", async () => {
    const { events } = await h.run([turn.error(401, "authentication_error", "invalid x-api-key")]);
    expect(warnings(events)).toHaveLength(0);
    expect(lastEvent(events)).toMatchObject({
      type: "run.failed",
      error: "the model API rejected the key (401): check ANTHROPIC_API_KEY on the job process",
    });
  });

  it("fails at once on a bad request (400), saying what the API said", async () => {
    const { events } = await h.run([turn.error(400, "invalid_request_error", "max_tokens: too large")]);
    expect(lastEvent(events)).toMatchObject({
      type: "run.failed",
      error: "the model API rejected the request (400): max_tokens: too large",
    });
  });
});

describe("agent executor: limits, each a question its owner can deny", () => {
  /** Runs the script; the owner denies every request. Returns the events and the requests. */
  async function runDenying(script: FakeScript, overrides: Partial<RunJobPayload> = {}) {
    const payload = await h.submit(script, overrides);
    const requests = await answerEveryRequest(h.log, payload.runId, () => ({ decision: "deny" }));
    return { payload, requests, events: await allEvents(h.log, payload.runId) };
  }

  it("stops when the same tool call repeats 4 times (loop guard) and the owner says stop", async () => {
    const same = () => turn.tool("read_file", { path: "a.txt" });
    const { events, requests } = await runDenying([same(), same(), same(), same(), turn.text("never reached")]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ kind: "approval", question: expect.stringContaining("called read_file 4 times with the same input") });
    expect(lastEvent(events)).toMatchObject({
      type: "run.failed",
      error: "loop detected: read_file called 4 times with the same input",
    });
    expect(ofType(events, "tool.started")).toHaveLength(3);
  });

  it("stops at the run's max turns when the owner says stop", async () => {
    const script = [0, 1, 2].map((i) => turn.tool("read_file", { path: "a.txt", offset: i + 1 }));
    const { events, requests } = await runDenying(script, { maxTurns: 2 });
    expect(requests.map((r) => r.question)).toEqual(["The agent reached its limit of 2 turns. Continue for 2 more?"]);
    expect(lastEvent(events)).toMatchObject({ type: "run.failed", error: "stopped: reached the limit of 2 turns" });
    expect(ofType(events, "usage").map((u) => u.turn)).toEqual([1, 2]);
  });

  it("stops when the cost budget is spent and the owner says stop", async () => {
    // Haiku 4.5 at $5 per million output tokens: 6,000 tokens a turn is $0.03; the budget is $0.05.
    const expensive = (i: number) => turn.tool("read_file", { path: "a.txt", limit: i + 1 }, { usage: { output_tokens: 6_000 } });
    const { events, requests } = await runDenying([expensive(0), expensive(1), expensive(2)]);
    expect(requests[0]!.question).toMatch(/^Budget of \$0\.05 reached \(\$0\.06 spent\)\. Continue with \$0\.05 more\?$/);
    const failed = lastEvent(events);
    expect(failed).toMatchObject({ type: "run.failed" });
    expect(failed.type === "run.failed" && failed.error).toMatch(/^stopped: reached the cost budget of \$0\.05 \(spent \$0\.06\d*\)$/);
    expect(ofType(events, "usage")).toHaveLength(2);
  });

  it("says a stopped run's changes end with it, and keeps none of its state in Redis", async () => {
    const write = (i: number) => turn.tool("write_file", { path: `f${i}.txt`, content: `${i}\n` });
    const { payload, events } = await runDenying([write(0), write(1)], { maxTurns: 2 });
    expect(lastEvent(events)).toMatchObject({ type: "run.failed", error: "stopped: reached the limit of 2 turns" });
    expect(ofType(events, "log").some((e) => /the run made changes \(commit [0-9a-f]{12}\), but a failed run is not reviewed/.test(e.message))).toBe(true);
    // The run failed: nothing will review, push or continue it, so its working state leaves Redis.
    expect(await h.log.redis.exists(...runStateKeys(h.log, payload.runId))).toBe(0);
  });
});

describe("agent executor: cancel", () => {
  it("cancels a run while the model is streaming, within 2 s", async () => {
    const payload = await h.submit([{ ...turn.text("Thinking about it for a long time"), hangAfterEvents: 4 }]);
    await waitForEvents(h.log, payload.runId, hasType("assistant.text"));
    const requested = Date.now();
    await requestCancel(h.log, payload.runId, "user-1");
    const events = await waitForEvents(h.log, payload.runId, hasEnded, 5_000);
    expect(Date.now() - requested).toBeLessThan(2_000);
    expect(lastEvent(events)).toMatchObject({ type: "run.cancelled", by: "user-1" });
    expect(await h.redis.exists(h.log.keys.runCheckpoint(payload.runId))).toBe(0);
  });
});
