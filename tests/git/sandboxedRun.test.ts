import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mirrorPath } from "../../jobs/git/mirror";
import { runRepoPath } from "../../jobs/git/runRepo";
import { loadConfig } from "../../lib/config";
import type { RunEvent } from "../../lib/events";
import { runJobOptions, type RunJobPayload } from "../../lib/queue";
import { withInProcessWorker } from "../support/inProcessWorker";
import { git } from "../support/gitRepo";
import { hasEnded, makeRunPayload, waitForEvents } from "../jobs/helpers";
import { repoSnapshot } from "./hostileRun";

/**
 * The run's own git through the real pipeline (BullMQ worker, workspace, sandbox): a `cli`
 * command uses git in its workspace as in any clone, and what it does to that `.git` (its own
 * commits, planted config) reaches neither the platform's branch nor the mirror.
 */
const config = loadConfig();
const pipeline = withInProcessWorker();

async function run(command: string): Promise<{ payload: RunJobPayload; events: RunEvent[]; stdout: string }> {
  const payload = makeRunPayload(pipeline.repo.url, { command });
  await pipeline.queue.add("run", payload, runJobOptions(payload.runId, "normal"));
  const events = await waitForEvents(pipeline.log, payload.runId, hasEnded, 30_000);
  const stdout = events.map((e) => (e.type === "log" && e.stream === "stdout" ? e.message : "")).join("");
  return { payload, events, stdout };
}

describe("git inside a sandboxed run", () => {
  it("works in the workspace; the run's own commits and config stay in its disposable .git", async () => {
    await run("true"); // the mirror exists from here on
    const mirror = mirrorPath(config.dataDir, pipeline.repo.url);
    const mirrorBefore = await repoSnapshot(mirror);
    const { payload, events, stdout } = await run(
      [
        "set -e",
        "git rev-parse --abbrev-ref HEAD",
        "test -z \"$(git status --porcelain)\" && echo clean",
        "git log -1 --format=%s",
        "echo mine > mine.txt && git add mine.txt",
        "git -c user.name=Run -c user.email=run@example.com commit -qm 'the run committed this itself'",
        "git config url.http://attacker.invalid/.insteadOf /",
        "git config core.fsmonitor 'touch /tmp/fsmonitor-ran'",
        "echo ok",
      ].join("\n"),
    );
    expect(events[events.length - 1]).toMatchObject({ type: "run.awaiting_review" });
    expect(stdout).toBe(`${payload.branch}\nclean\ninitial commit\nok\n`);
    // The platform committed the files with its own message and identity, not the run's commit.
    const runRepo = runRepoPath(config.dataDir, payload.runId);
    expect(await git(runRepo, "log", "--format=%s|%an", `refs/heads/${payload.branch}`, "-2")).toBe(`Test run|${config.gitAuthor.name}\ninitial commit|Test Author`);
    expect(await git(runRepo, "show", `refs/heads/${payload.branch}:mine.txt`)).toBe("mine");
    expect(await fs.readFile(path.join(runRepo, "config"), "utf8")).not.toContain("attacker");
    expect(await repoSnapshot(mirror)).toEqual(mirrorBefore);
  });
});
