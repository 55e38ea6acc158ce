import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { turn } from "../support/fakeAnthropic";
import { ofType, startAgentHarness, type AgentHarness } from "./agentHarness";

/**
 * `tool.finished.truncated` says whether the event's output is not all the tool printed; the
 * feed's "output was cut" note follows it. A read tool that shows part of a file says so in
 * its (complete) output and is not cut; a command whose output outgrew what is kept is.
 */
let h: AgentHarness;

beforeAll(async () => {
  h = await startAgentHarness({ files: { "notes.txt": "one\ntwo\nthree\nfour\n" } });
});
afterAll(async () => {
  await h?.close();
});

describe("whether a tool's output in the feed was cut", () => {
  it("is false for a partial read and a short command, true for a command whose output was cut", async () => {
    const { events } = await h.run([
      turn.tool("read_file", { path: "notes.txt", limit: 2 }, { id: "toolu_part" }),
      turn.tool("shell", { command: "echo short" }, { id: "toolu_short" }),
      turn.tool("shell", { command: "seq 1 20000" }, { id: "toolu_long" }),
      turn.text("Done."),
    ]);
    const finished = new Map(ofType(events, "tool.finished").map((e) => [e.callId, e]));
    expect(finished.get("toolu_part")).toMatchObject({ ok: true, output: expect.stringContaining("more lines; read again with offset=3"), truncated: false });
    expect(finished.get("toolu_short")).toMatchObject({ ok: true, truncated: false });
    expect(finished.get("toolu_long")).toMatchObject({ ok: true, truncated: true });
  });
});
