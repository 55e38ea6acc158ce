import { describe, expect, it } from "vitest";
import { initialState, parseAgentState } from "../../jobs/agent/agentState";
import { rememberedActions } from "../../jobs/approval/remembered";

describe("remembered approvals in a checkpoint", () => {
  const state = initialState("do it");

  it("reads a checkpoint written before tools were remembered, and one without any", () => {
    expect(parseAgentState({ ...state, remembered: { shell: ["npm install"], write: ["package.json"] } }).remembered).toEqual({
      shell: ["npm install"],
      write: ["package.json"],
      tools: [],
    });
    const { remembered: _none, ...older } = state;
    expect(parseAgentState(older).remembered).toEqual({ shell: [], write: [], tools: [] });
  });

  it("keeps remembered tools through a checkpoint", () => {
    const saved = JSON.parse(JSON.stringify({ ...state, remembered: { shell: [], write: [], tools: ["mcp__github__create_issue"] } }));
    expect(parseAgentState(saved).remembered.tools).toEqual(["mcp__github__create_issue"]);
  });

  it("rejects a remembered list that is not strings", () => {
    expect(rememberedActions.safeParse({ tools: [1] }).success).toBe(false);
    expect(() => parseAgentState({ ...state, remembered: { shell: "npm install" } })).toThrow(/not a valid agent state/);
  });
});
