import path from "node:path";
import { describe, expect, it } from "vitest";
import { runRepoPath } from "../../jobs/git/runRepo";
import { runJobOptions } from "../../lib/queue";
import { turn } from "../support/fakeAnthropic";
import { git } from "../support/gitRepo";
import { hasEnded, makeRunPayload, waitForEvents } from "../jobs/helpers";
import { ofType, lastEvent } from "./agentHarness";
import { crashResumeSetup, recoverStalledJob } from "./crashResumeSupport";

const setup = crashResumeSetup({ "notes.txt": "zero\n" });

describe("crash resume across job processes", () => {
  it("continues a killed run on another machine from its last checkpoint, ending with one commit", async () => {
    const { fake, queue, redis, log, repo, machine, machines } = setup;
    fake.setScript([
      turn.tool("edit_file", { path: "notes.txt", old_string: "zero", new_string: "one" }, { id: "toolu_1" }),
      turn.tool("shell", { command: "echo two > two.txt" }, { id: "toolu_2" }),
      // The third request hangs mid-answer: the job process dies while the model "thinks".
      { ...turn.text("Now let me finish"), hangAfterEvents: 3 },
    ]);
    const first = await machine("one");
    const payload = makeRunPayload(repo.url, { executor: "agent", command: null, prompt: "Count in notes.txt" });
    await queue.add("run", payload, runJobOptions(payload.runId, "normal"));
    await fake.hung();
    const checkpoint = JSON.parse((await redis.get(log.keys.runCheckpoint(payload.runId)))!) as { turn: number };
    expect(checkpoint.turn).toBe(2);
    const conversationAtCheckpoint = fake.requests[2]!.body.messages;

    first.proc.kill("SIGKILL");
    await first.exited;
    await recoverStalledJob(setup, payload.runId);

    fake.setScript([
      turn.tool("write_file", { path: "three.txt", content: "three\n" }, { id: "toolu_3" }),
      turn.text("Counted to three."),
    ]);
    const second = await machine("two");
    const events = await waitForEvents(log, payload.runId, hasEnded, 60_000);

    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review", branch: payload.branch });
    const starts = ofType(events, "run.started");
    expect(starts.map((s) => [s.worker, s.resumed])).toEqual([
      [first.worker, false],
      [second.worker, true],
    ]);
    expect(ofType(events, "log").map((e) => e.message)).toContain(
      `resumed from checkpoint after turn 2 (saved by worker ${first.worker})`,
    );
    // The second machine sent the model the conversation as it stood at the checkpoint.
    const resumedRequest = fake.requests[3]!.body;
    expect(resumedRequest.messages).toEqual(conversationAtCheckpoint);
    expect(resumedRequest.messages).toHaveLength(5);
    // Steps before the checkpoint were not run again.
    expect(ofType(events, "tool.started").map((e) => e.callId)).toEqual(["toolu_1", "toolu_2", "toolu_3"]);
    // Usage continues from the checkpoint's totals.
    expect(ofType(events, "usage").map((u) => u.turn)).toEqual([1, 2, 3, 4]);

    // One commit with all the work, in the run's repository on the second machine (restored from the bundle).
    const diff = ofType(events, "diff.ready")[0]!;
    expect(diff.files.map((f) => f.path).sort()).toEqual(["notes.txt", "three.txt", "two.txt"]);
    const mirror = runRepoPath(path.join(machines, "two"), payload.runId);
    expect(await git(mirror, "log", "--format=%s", `${diff.baseSha}..${payload.branch}`)).toBe("Count in notes.txt");
    expect(await git(mirror, "show", `${payload.branch}:notes.txt`)).toBe("one");
    expect(await git(mirror, "show", `${payload.branch}:two.txt`)).toBe("two");
    expect(await redis.exists(log.keys.runCheckpoint(payload.runId))).toBe(0);

    second.proc.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
