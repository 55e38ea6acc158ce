import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ofType } from "../agent/agentHarness";
import { startAcpHarness, type AcpHarness } from "./acpHarness";

let h: AcpHarness;
beforeAll(async () => {
  h = await startAcpHarness({ files: { "README.md": "hello\n" } });
});
afterAll(async () => {
  await h?.close();
});

describe("the Goose configuration", () => {
  it("starts the agent with Goose's launch line and streams what it says", async () => {
    const { events } = await h.run({}, { turns: [[{ echo: true }]] });
    const text = ofType(events, "assistant.text").map((e) => e.text).join("");
    expect(events.map((e) => e.type)).toContain("run.completed");
    expect(text).toContain("received: Improve the greeting");
  });
});
