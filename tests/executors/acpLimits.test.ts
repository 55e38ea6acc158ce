import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { budgetKeys } from "../../lib/contracts/budgets";
import type { RunEvent } from "../../lib/events";
import { reviewJobIds, reviewJobOptions } from "../../lib/queue";
import type { Step } from "../support/acpGooseDouble/agent";
import { hasEnded, waitForEvents } from "../jobs/helpers";
import { lastEvent, ofType } from "../agent/agentHarness";
import { answerRequest, waitForRequest } from "../agent/support/answers";
import { startAcpHarness, type AcpHarness } from "./acpHarness";

/**
 * The run's model, turn limit and budget for an ACP agent (jobs/executors/acp/limits.ts),
 * against the Goose double over real ACP, in the real sandbox, Redis, git and BullMQ: the
 * model through the agent's model setting, prompt turns counted, the reported cost held to
 * the budget, each limit put to the run's owner as the other executors do.
 */
let h: AcpHarness;
beforeAll(async () => {
  h = await startAcpHarness({ files: { "README.md": "hello\n" } });
});
afterAll(async () => {
  await h?.close();
});

const said = (events: RunEvent[]) => ofType(events, "assistant.text").map((e) => e.text).join("");
const logs = (events: RunEvent[]) => ofType(events, "log").map((e) => e.message);
const ended = (runId: string) => waitForEvents(h.log, runId, hasEnded, 30_000);

describe("the model", () => {
  it("is set through the agent's model setting before the task is prompted", async () => {
    const { events } = await h.run({ model: "gpt-5" }, { models: ["goose-default", "gpt-5"], turns: [[{ sayModel: true }]] });
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    expect(said(events)).toContain("model: gpt-5");
    expect(logs(events)).toContain('the agent\'s model is gpt-5 (its setting "Model")');
  });

  it("is left to the agent when the run names none", async () => {
    const { events } = await h.run({ model: null }, { models: ["goose-default", "gpt-5"], turns: [[{ sayModel: true }]] });
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    expect(said(events)).toContain("model: goose-default");
  });

  it("fails the run, saying why, when the agent offers no model choice or refuses the model", async () => {
    const none = await h.run({ model: "gpt-5" }, { turns: [[{ say: "must not run" }]] });
    expect(lastEvent(none.events)).toMatchObject({
      type: "run.failed",
      error: 'the ACP agent goose offers no model choice (no session setting of category "model"), so it cannot run on gpt-5; start the run without a model to use the agent\'s own',
    });
    expect(said(none.events)).not.toContain("must not run");

    const refused = await h.run({ model: "claude-opus-9" }, { models: ["goose-default"], turns: [[{ say: "must not run" }]] });
    expect(lastEvent(refused.events)).toMatchObject({ type: "run.failed", error: expect.stringMatching(/^the ACP agent goose does not take the model claude-opus-9 \(it offers goose-default\): Invalid params/) });
    expect(said(refused.events)).not.toContain("must not run");
  });
});

describe("a follow-up (request changes)", () => {
  it("sets the model again on the loaded session and starts the turn count again", async () => {
    const models = ["goose-default", "gpt-5"];
    // One prompt turn allowed: the first round uses it; the follow-up's feedback must not be asked about.
    const { payload, events } = await h.run({ model: "gpt-5", maxTurns: 1 }, { models, loadSession: true, turns: [[{ write: { path: "greet.txt", content: "Hello\n" } }]] });
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });

    process.env.GOOSE_DOUBLE_SCRIPT = JSON.stringify({ models, loadSession: true, turns: [[{ sayModel: true }, { write: { path: "greet.txt", content: "Hello, world\n" } }]] });
    await h.queue.add("run", { ...payload, feedback: { decisionId: "d-model", text: "Greet the whole world." } }, reviewJobOptions(reviewJobIds.changes(payload.runId, "d-model")));
    const after = await waitForEvents(h.log, payload.runId, (all) => ofType(all, "run.awaiting_review").length === 2 || all.some((e) => e.type === "run.failed"), 30_000);
    expect(lastEvent(after)).toMatchObject({ type: "run.awaiting_review" });
    expect(logs(after)).toContain("continuing the agent's session goose-session-1");
    expect(said(after)).toContain("model: gpt-5");
    expect(ofType(after, "input.requested")).toEqual([]);
  });
});

describe("the budget and the turn limit", () => {
  // Turn 1 reports a cost past the budget, then works until it is cancelled; turn 2 says what it was told.
  const overBudget: Step[][] = [[{ usage: { inputTokens: 1000, outputTokens: 100, costUsd: 0.5 } }, { waitForCancel: true }], [{ echo: true }]];

  it("stops the turn when the reported cost reaches the budget and asks; approved, the agent is told to go on", async () => {
    const payload = await h.submit({ budgetUsd: 0.4 }, { turns: overBudget });
    const request = await waitForRequest(h.log, payload.runId);
    expect(request).toMatchObject({ requestId: "acp1-budget-p1", kind: "approval", question: "Budget of $0.40 reached ($0.50 spent). Continue with $0.40 more?" });
    await answerRequest(h.log, payload.runId, request.requestId, { decision: "approve" });
    const events = await ended(payload.runId);
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    expect(said(events)).toContain("waiting to be cancelled");
    expect(said(events)).toContain("received: You were stopped when this run reached its cost budget");
    expect(logs(events)).toContain("the agent's reported cost reached the run's budget; its turn is stopped");
  });

  it("fails the run when the owner does not lift the budget", async () => {
    const payload = await h.submit({ budgetUsd: 0.4 }, { turns: overBudget });
    const request = await waitForRequest(h.log, payload.runId);
    await answerRequest(h.log, payload.runId, request.requestId, { decision: "deny" });
    const events = await ended(payload.runId);
    expect(lastEvent(events)).toMatchObject({ type: "run.failed", error: "stopped: reached the cost budget of $0.40 (spent $0.5000)" });
    expect(said(events)).not.toContain("received:");
  });

  it("counts prompt turns: past maxTurns the owner is asked, after the budget, and a denial ends the run", async () => {
    const payload = await h.submit({ budgetUsd: 0.4, maxTurns: 1 }, { turns: overBudget });
    const budget = await waitForRequest(h.log, payload.runId, 0);
    await answerRequest(h.log, payload.runId, budget.requestId, { decision: "approve" });
    const turns = await waitForRequest(h.log, payload.runId, 1);
    expect(turns).toMatchObject({ requestId: "acp1-max_turns-p1", question: "The agent reached its limit of 1 turns. Continue for 1 more?" });
    await answerRequest(h.log, payload.runId, turns.requestId, { decision: "deny" });
    const events = await ended(payload.runId);
    expect(lastEvent(events)).toMatchObject({ type: "run.failed", error: "stopped: reached the limit of 1 turns" });
  });

  it("says when the agent reports no cost, so the budget cannot be held", async () => {
    const { events } = await h.run({ budgetUsd: 2 }, { turns: [[{ say: "done" }]] });
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
    expect(logs(events)).toContain(
      "the ACP agent goose reports no cost (ACP usage_update), so the run's budget of $2.00 cannot be held; its prompt turns are still limited",
    );
  });
});

describe("the team's monthly spending limit", () => {
  const overBudget: Step[][] = [[{ usage: { inputTokens: 1000, outputTokens: 100, costUsd: 0.5 } }, { waitForCancel: true }], [{ echo: true }]];

  it("asks a team admin before the next prompt turn when its cost would cross the limit, and a stop ends the run", async () => {
    // As the web mirrors it: a team limit of $0.80, with $0.20 spent by another run of the month.
    const keys = budgetKeys(h.config.redisPrefix);
    const spending = { teamId: "team-acp-budget", month: "2026-11" };
    await h.redis.hset(keys.limits(spending.teamId), { loaded: "1", team: "0.8" });
    await h.redis.hset(keys.spend(spending.teamId, spending.month), "another-run", JSON.stringify({ userId: "someone", costUsd: 0.2 }));
    // The run's own budget stops its first turn at $0.50; before the continuation, $0.20 + $0.50
    // spent and $0.50 for the next turn would cross the team's $0.80.
    const payload = await h.submit({ budgetUsd: 0.4, spending }, { turns: overBudget });
    const own = await waitForRequest(h.log, payload.runId, 0);
    await answerRequest(h.log, payload.runId, own.requestId, { decision: "approve" });
    const team = await waitForRequest(h.log, payload.runId, 1);
    expect(team).toMatchObject({ requestId: "budget-acp1-p1-0", kind: "budget", input: { scope: "team", limitUsd: 0.8, spendUsd: 0.7, turnCostUsd: 0.5 } });
    await answerRequest(h.log, payload.runId, team.requestId, { decision: "deny" });
    const events = await ended(payload.runId);
    expect(lastEvent(events)).toMatchObject({ type: "run.failed", error: "stopped at the team's monthly spending limit of $0.80 by owner@example.com" });
    expect(said(events)).not.toContain("received:");
  });
});
