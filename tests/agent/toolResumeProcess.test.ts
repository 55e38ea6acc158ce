import crypto from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { INTERRUPTED_OUTPUT } from "../../jobs/agent/toolResume";
import { runRepoPath } from "../../jobs/git/runRepo";
import { runJobOptions } from "../../lib/queue";
import { turn } from "../support/fakeAnthropic";
import { git } from "../support/gitRepo";
import { eventually, hasEnded, makeRunPayload, waitForEvents } from "../jobs/helpers";
import { lastEvent, ofType } from "./agentHarness";
import { crashResumeSetup, fileInAttempt, processesWith, recoverStalledJob, shellCall } from "./crashResumeSupport";

const setup = crashResumeSetup({ "log.txt": "base\n" });

describe("crash resume per tool call", () => {
  it("a job process killed during the second of three calls: the first is not run again, the second is reported interrupted, the third runs once", async () => {
    // The second call's sleep is this test's own: `ps` finds its processes by this number.
    const { fake, queue, redis, log, repo, machine, machines } = setup;
    const tag = String(crypto.randomInt(3_000_000, 4_000_000));
    fake.setScript([
      {
        content: [
          shellCall("toolu_first", "echo one >> log.txt"),
          shellCall("toolu_second", `echo two >> log.txt && touch second-started && sleep ${tag}`),
          shellCall("toolu_third", "echo three >> log.txt"),
        ],
      },
    ]);
    const first = await machine("one");
    const payload = makeRunPayload(repo.url, { executor: "agent", command: null, prompt: "Append to log.txt" });
    await queue.add("run", payload, runJobOptions(payload.runId, "normal"));

    // The second command runs (its sandbox is up and it wrote its marker).
    await fileInAttempt(path.join(machines, "one"), payload.runId, "second-started");
    expect(await processesWith(`sleep ${tag}`)).not.toEqual([]);
    // Recorded before it started: the first call's result (and the workspace it left), and the running call.
    const saved = JSON.parse((await redis.get(log.keys.runCheckpoint(payload.runId)))!) as {
      state: { pendingResults: { tool_use_id: string; is_error?: boolean }[]; runningCall?: string };
      headSha: string;
    };
    expect(saved.state.pendingResults.map((r) => [r.tool_use_id, r.is_error ?? false])).toEqual([["toolu_first", false]]);
    expect(saved.state.runningCall).toBe("toolu_second");
    expect(await git(runRepoPath(path.join(machines, "one"), payload.runId), "show", `${saved.headSha}:log.txt`)).toBe("base\none");

    first.proc.kill("SIGKILL");
    await first.exited;
    // The killed attempt's command dies with it: the sandbox, bash and its sleep.
    await eventually(async () => ((await processesWith(`sleep ${tag}`)).length === 0 ? true : undefined), 10_000).catch(async () => {
      throw new Error(`processes of the killed attempt are still running:\n${(await processesWith(`sleep ${tag}`)).join("\n")}`);
    });

    await recoverStalledJob(setup, payload.runId);
    fake.setScript([turn.text("Appended what I could; the second append was interrupted.")]);
    const second = await machine("two");
    const events = await waitForEvents(log, payload.runId, hasEnded, 60_000);

    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review", branch: payload.branch });
    // Each call started once, over both job processes; the model was asked the first turn once.
    expect(ofType(events, "tool.started").map((e) => e.callId)).toEqual(["toolu_first", "toolu_second", "toolu_third"]);
    expect(fake.requests).toHaveLength(2);
    const finished = ofType(events, "tool.finished").map((e) => [e.callId, e.ok, e.output.split("\n")[0]]);
    expect(finished).toEqual([
      ["toolu_first", true, "exit code 0"],
      ["toolu_second", false, INTERRUPTED_OUTPUT],
      ["toolu_third", true, "exit code 0"],
    ]);
    // What the model got for the turn: the recorded result, the interruption, the new result.
    const sent = fake.requests[1]!.body.messages;
    const results = sent[sent.length - 1]!.content;
    expect(Array.isArray(results) && results.map((r) => [r.tool_use_id, r.is_error ?? false, r.content])).toEqual([
      ["toolu_first", false, "exit code 0\n(no output)"],
      ["toolu_second", true, INTERRUPTED_OUTPUT],
      ["toolu_third", false, "exit code 0\n(no output)"],
    ]);

    // The first append happened once; the interrupted one's change to the workspace is gone.
    const mirror = runRepoPath(path.join(machines, "two"), payload.runId);
    expect(await git(mirror, "show", `${payload.branch}:log.txt`)).toBe("base\none\nthree");
    expect(await git(mirror, "ls-tree", "--name-only", payload.branch)).toBe("log.txt");

    second.proc.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
