import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoFiles, demoTurn } from "../../demo/script";
import { lastEvent, ofType, startAgentHarness, type AgentHarness } from "./agentHarness";

let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness({ files: demoFiles, env: { AGENT_MODEL: "demo-model" } });
});
afterAll(async () => {
  await h?.close();
});

describe("npm run demo's scripted model", () => {
  it("plays a whole agent session on the sample repository, ending in review", async () => {
    // Without the demo's pacing, so the test is quick.
    const { events } = await h.run((request) => {
      const turn = demoTurn(request);
      return "content" in turn ? { ...turn, delayMs: 0, chunkDelayMs: 0 } : turn;
    });
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    const finished = ofType(events, "tool.finished");
    expect(finished.map((e) => e.ok)).toEqual([true, true, true, false, true, true, true]);
    const output = ofType(events, "log").filter((e) => e.stream === "stdout").map((e) => e.message).join("");
    expect(output).toBe("Hello, Ada! Welcome to AgentDesk.\nHello, there! Welcome to AgentDesk.\n");
    expect(ofType(events, "diff.ready")[0]!.files.map((f) => f.path).sort()).toEqual(["CHANGELOG.md", "src/greet.js"]);
    // demo-model has no price: the feed says how its cost is estimated.
    expect(ofType(events, "log").some((e) => e.message.includes('no price is known for model "demo-model"'))).toBe(true);
  });
});
