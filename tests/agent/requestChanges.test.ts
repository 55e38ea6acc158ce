import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRepoPath } from "../../jobs/git/runRepo";
import { reviewJobIds, reviewJobOptions } from "../../lib/queue";
import { turn } from "../support/fakeAnthropic";
import { git } from "../support/gitRepo";
import { allEvents, waitForEvents } from "../jobs/helpers";
import { ofType, startAgentHarness, type AgentHarness } from "./agentHarness";

let h: AgentHarness;

beforeAll(async () => {
  h = await startAgentHarness({ files: { "README.md": "# Greeter\n" } });
});
afterAll(async () => {
  await h?.close();
});

describe("request changes: the agent continues on the same branch", () => {
  it("takes the reviewer's feedback with its earlier conversation and produces a second diff on the branch", async () => {
    const { payload, events } = await h.run([
      turn.tool("write_file", { path: "greet.txt", content: "Hello\n" }, { id: "toolu_first" }),
      turn.text("I added greet.txt."),
    ]);
    expect(events[events.length - 1]).toMatchObject({ type: "run.awaiting_review" });
    const firstHead = ofType(events, "run.awaiting_review")[0]!.headSha;

    // What the web queues for "request changes" (lib/services/review.ts).
    h.fake.setScript([
      turn.tool("edit_file", { path: "greet.txt", old_string: "Hello", new_string: "Hello, world" }, { id: "toolu_second" }),
      turn.text("Made the greeting longer."),
    ]);
    const decisionId = "decision-1";
    const followUp = { ...payload, feedback: { decisionId, text: "Please greet the whole world." } };
    await h.queue.add("run", followUp, reviewJobOptions(reviewJobIds.changes(payload.runId, decisionId)));
    const after = await waitForEvents(
      h.log,
      payload.runId,
      (all) => all.filter((e) => e.type === "run.awaiting_review").length === 2,
      30_000,
    );

    // The model saw its whole earlier conversation, then the feedback.
    const request = h.fake.requests[h.fake.requests.length - 2]!.body;
    const texts = JSON.stringify(request.messages);
    expect(texts).toContain("toolu_first");
    expect(texts).toContain("I added greet.txt.");
    expect(texts).toContain("Please greet the whole world.");

    // A new diff on the same branch, against the same base, holding both changes in one commit.
    const reviews = ofType(after, "run.awaiting_review");
    expect(reviews[1]!.branch).toBe(payload.branch);
    expect(reviews[1]!.headSha).not.toBe(firstHead);
    const diffs = ofType(after, "diff.ready");
    expect(diffs).toHaveLength(2);
    expect(diffs[1]!.baseSha).toBe(diffs[0]!.baseSha);
    expect(diffs[1]!.patch).toContain("+Hello, world");
    const mirror = runRepoPath(h.config.dataDir, payload.runId);
    expect(await git(mirror, "show", `${reviews[1]!.headSha}:greet.txt`)).toBe("Hello, world");
    expect(await git(mirror, "rev-list", "--count", `${diffs[1]!.baseSha}..${reviews[1]!.headSha}`)).toBe("1");
    expect(after.some((e) => e.type === "log" && e.message.includes("reviewer's feedback"))).toBe(true);

    // Delivered again (a retried or duplicated job), the follow-up does nothing.
    await h.queue.add("run", followUp, { ...reviewJobOptions(`${reviewJobIds.changes(payload.runId, decisionId)}-again`) });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(ofType(await allEvents(h.log, payload.runId), "run.started")).toHaveLength(2);
  });
});
