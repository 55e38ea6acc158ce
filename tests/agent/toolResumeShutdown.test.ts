import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INTERRUPTED_OUTPUT } from "../../jobs/agent/toolResume";
import { runRepoPath } from "../../jobs/git/runRepo";
import { turn } from "../support/fakeAnthropic";
import { git } from "../support/gitRepo";
import { lastEvent, ofType, startAgentHarness, type AgentHarness } from "./agentHarness";
import { restartWorkerDuringCall, shellCall } from "./crashResumeSupport";

let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness({ files: { "log.txt": "base\n" } });
});
afterAll(async () => {
  await h?.close();
});

describe("a shutdown in the middle of a tool call", () => {
  it("stops the call; the resumed run reports it interrupted and goes on with the next call", async () => {
    const requestsBefore = h.fake.requests.length;
    const payload = await h.submit([
      {
        content: [
          shellCall("t_first", "echo one >> log.txt"),
          shellCall("t_long", "echo two >> log.txt && touch long-started && sleep 120"),
          shellCall("t_last", "echo three >> log.txt"),
        ],
      },
      turn.text("Done."),
    ]);
    // As SIGTERM does: the run is stopped (its command with it) and put back in the queue.
    const events = await restartWorkerDuringCall(h, payload.runId, "long-started");

    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    expect(ofType(events, "run.started").map((e) => e.resumed)).toEqual([false, true]);
    expect(ofType(events, "tool.started").map((e) => e.callId)).toEqual(["t_first", "t_long", "t_last"]);
    // The stopped call's own finish (by the first worker), then the resumed run's report.
    expect(ofType(events, "tool.finished").map((e) => [e.callId, e.ok, e.output.split("\n")[0]])).toEqual([
      ["t_first", true, "exit code 0"],
      ["t_long", false, "stopped"],
      ["t_long", false, INTERRUPTED_OUTPUT],
      ["t_last", true, "exit code 0"],
    ]);
    // The model's first turn was not asked again.
    expect(h.fake.requests.length - requestsBefore).toBe(2);
    expect(await git(runRepoPath(h.config.dataDir, payload.runId), "show", `${payload.branch}:log.txt`)).toBe("base\none\nthree");
  });
});
