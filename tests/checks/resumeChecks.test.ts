import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckSpec } from "../../lib/contracts/environment";
import { turn } from "../support/fakeAnthropic";
import { restartWorkerDuringCall, shellCall } from "../agent/crashResumeSupport";
import { lastEvent, ofType, startAgentHarness, type AgentHarness } from "../agent/agentHarness";
import { spec } from "../environment/support";

/**
 * Pre-run checks gate the first start of a round of work, not each delivery of its job: a run
 * the job process stopped mid-work (as SIGTERM does) resumes from its checkpoint without running
 * them again (the executor already ran after they passed), while its post-run checks run once,
 * on the finished changes. Real BullMQ worker, agent executor on the fake model, git, bubblewrap.
 */
let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness({ files: { "log.txt": "base\n" } });
});
afterAll(async () => {
  await h?.close();
});

const check = (name: string, command: string): CheckSpec => ({ name, command, timeoutSec: 30 });

describe("checks across a resume", () => {
  it("does not run the pre-run checks again when the run resumes from its checkpoint; post-run checks run once", async () => {
    const payload = await h.submit(
      [
        { content: [shellCall("t_first", "echo one >> log.txt"), shellCall("t_long", "touch long-started && sleep 120"), shellCall("t_last", "echo two >> log.txt")] },
        turn.text("Done."),
      ],
      { environment: spec({ checks: { pre: [check("gate", "echo gate passed")], post: [check("tests", "grep -c . log.txt")], onError: [] } }) },
    );
    const events = await restartWorkerDuringCall(h, payload.runId, "long-started");

    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    expect(ofType(events, "run.started").map((e) => e.resumed)).toEqual([false, true]);
    expect(ofType(events, "check.finished").map((e) => [e.phase, e.name, e.ok])).toEqual([
      ["pre", "gate", true],
      ["post", "tests", true],
    ]);
    expect(ofType(events, "log").some((e) => /Pre-run checks passed before this run was interrupted; not run again on resume/.test(e.message))).toBe(true);
  });
});
