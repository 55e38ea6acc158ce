import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoFiles, demoTurn } from "../../demo/script";
import type { FakeScript } from "../support/fakeAnthropic";
import { allEvents } from "../jobs/helpers";
import { lastEvent, ofType, startAgentHarness, type AgentHarness } from "./agentHarness";
import { answerEveryRequest, type PersonAnswer } from "./support/answers";

let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness({ files: demoFiles, env: { AGENT_MODEL: "demo-model" } });
});
afterAll(async () => {
  await h?.close();
});

// Without the demo's pacing, so the test is quick.
const unpaced: FakeScript = (request) => {
  const turn = demoTurn(request);
  return "content" in turn ? { ...turn, delayMs: 0, chunkDelayMs: 0 } : turn;
};

/**
 * The demo as a person plays it, with the new-run form's default approval mode: two cards,
 * running the program (a script the policy cannot see inside) and the cleanup.
 */
async function playDemo(answers: [PersonAnswer, PersonAnswer]) {
  const payload = await h.submit(unpaced, { approvalMode: "risky" });
  const requests = await answerEveryRequest(h.log, payload.runId, (_, i) => answers[i]!);
  return { requests, events: await allEvents(h.log, payload.runId) };
}

describe("npm run demo's scripted model", () => {
  it("plays a whole agent session on the sample repository, with approval cards, ending in review", async () => {
    const { requests, events } = await playDemo([{ decision: "approve" }, { decision: "approve" }]);
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    expect(requests.map((r) => [r.kind, r.input])).toEqual([
      ["approval", { command: "node src/main.js Ada && node src/main.js" }],
      ["approval", { command: "rm -rf build" }],
    ]);
    const finished = ofType(events, "tool.finished");
    expect(finished.map((e) => e.ok)).toEqual([true, true, true, false, true, true, true, true]);
    const output = ofType(events, "log").filter((e) => e.stream === "stdout").map((e) => e.message).join("");
    expect(output).toBe("Hello, Ada! Welcome to AgentDesk.\nHello, there! Welcome to AgentDesk.\n");
    expect(ofType(events, "diff.ready")[0]!.files.map((f) => f.path).sort()).toEqual(["CHANGELOG.md", "build/greeting.txt", "src/greet.js"]);
    expect(ofType(events, "assistant.text").map((e) => e.text).join("")).toContain("`build/`: removed");
    // demo-model has no price: the feed says how its cost is estimated.
    expect(ofType(events, "log").some((e) => e.message.includes('no price is known for model "demo-model"'))).toBe(true);
  });

  it("sums up honestly when the person denies the cleanup", async () => {
    const { events } = await playDemo([{ decision: "approve" }, { decision: "deny", note: "keep build for now" }]);
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    expect(ofType(events, "diff.ready")[0]!.files.map((f) => f.path).sort()).toEqual(["CHANGELOG.md", "src/greet.js"]);
    expect(ofType(events, "assistant.text").map((e) => e.text).join("")).toContain(
      "`build/` is left as it was: removing it was not approved (The user denied this action: keep build for now Nothing ran.)",
    );
  });

  it("does not claim the program works when running it was denied, and says so in the summary", async () => {
    const { events } = await playDemo([{ decision: "deny", note: "not now" }, { decision: "approve" }]);
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    expect(ofType(events, "log").filter((e) => e.stream === "stdout")).toEqual([]);
    const said = ofType(events, "assistant.text").map((e) => e.text).join("");
    expect(said).not.toContain("Both work");
    expect(said).toContain("Running it was not approved (The user denied this action: not now Nothing ran.)");
    expect(said).toContain("I did not run the program: that was not approved");
    expect(said).not.toContain("both print the expected greeting");
    expect(said).toContain("`build/`: removed");
  });
});
