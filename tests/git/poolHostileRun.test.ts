import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { treeGitOptions } from "../../jobs/git/attempt";
import { runGit } from "../../jobs/git/exec";
import { mirrorPath } from "../../jobs/git/mirror";
import { poolRefillsSettled, workspacePoolDir } from "../../jobs/git/workspacePool";
import { loadConfig } from "../../lib/config";
import type { RunEvent } from "../../lib/events";
import { runJobOptions, type RunJobPayload } from "../../lib/queue";
import { hasEnded, makeRunPayload, waitForEvents } from "../jobs/helpers";
import { withInProcessWorker } from "../support/inProcessWorker";
import { git } from "../support/gitRepo";

/**
 * The pool through the real pipeline (BullMQ worker, workspace, bubblewrap sandbox): a run
 * that wrecks its workspace (its files, a fake `.git`, hooks, links out of the workspace, a
 * nested repository) and tries to reach the pool changes neither the pool nor the next run,
 * whose files are the base commit exactly.
 */
const config = loadConfig();
const pipeline = withInProcessWorker();
const ENTRY = /^\d{13}-([0-9a-f]{40})-[0-9a-f]{8}$/;

async function run(command: string): Promise<{ payload: RunJobPayload; events: RunEvent[]; stdout: string }> {
  const payload = makeRunPayload(pipeline.repo.url, { command });
  await pipeline.queue.add("run", payload, runJobOptions(payload.runId, "normal"));
  const events = await waitForEvents(pipeline.log, payload.runId, hasEnded, 30_000);
  const stdout = events.map((e) => (e.type === "log" && e.stream === "stdout" ? e.message : "")).join("");
  // The refill the run's claim started, before anything looks at the pool.
  await poolRefillsSettled();
  return { payload, events, stdout };
}

/** The pool's whole entries, each checked to hold exactly its commit's files (the platform's index says so). */
async function wholeEntries(pool: string): Promise<string[]> {
  const names = (await fs.readdir(pool)).filter((n) => ENTRY.test(n));
  for (const name of names) {
    const sha = ENTRY.exec(name)![1]!;
    const entry = path.join(pool, name);
    const options = treeGitOptions({ gitDir: mirrorPath(config.dataDir, pipeline.repo.url), workspace: path.join(entry, "workspace"), indexFile: path.join(entry, "index") });
    expect((await runGit(["ls-files", "--others", "--modified", "--deleted"], options)).stdout).toBe("");
    expect((await runGit(["diff-index", "--cached", "--name-only", sha], options)).stdout).toBe("");
  }
  return names;
}

describe("a hostile run and the workspace pool", () => {
  it("cannot reach the pool or the next run's workspace; the next run's files are the base exactly", async () => {
    await run("true"); // the mirror and the pool exist from here on
    const pool = workspacePoolDir(config.dataDir, mirrorPath(config.dataDir, pipeline.repo.url));
    const beforeHostile = await wholeEntries(pool);
    expect(beforeHostile).toHaveLength(config.workspacePoolSize);

    const hostile = await run(
      [
        "set -e",
        "echo wrecked > README.md",
        "printf 'x' > added.txt",
        // A nested repository with hooks and config that would run commands.
        "mkdir -p nested/.git/hooks",
        "printf '[core]\\n\\tfsmonitor = touch /tmp/pwned\\n' > nested/.git/config",
        "printf '#!/bin/sh\\ntouch /tmp/pwned\\n' > nested/.git/hooks/post-checkout && chmod +x nested/.git/hooks/post-checkout",
        // Links out of the workspace, to the root and upwards (where a pool would be).
        "ln -s / root-link",
        "ln -s ../../../../../.. up-link",
        // Its own .git replaced by a fake one pointing elsewhere.
        "rm -rf .git && mkdir -p .git/hooks",
        "printf '[core]\\n\\tworktree = /\\n\\tfsmonitor = touch /tmp/pwned\\n' > .git/config",
        "printf '#!/bin/sh\\ntouch /tmp/pwned\\n' > .git/hooks/post-checkout && chmod +x .git/hooks/post-checkout",
        "echo 'ref: refs/heads/stolen' > .git/HEAD",
        // The pool is under DATA_DIR, which the sandbox does not show.
        `test -e ${pool} && echo sees-pool`,
        `touch ${path.join(pool, "planted")} 2>/dev/null && echo wrote-pool`,
        "echo done",
      ].join("\n"),
    );
    expect(hostile.stdout).toBe("done\n");
    expect(hostile.events[hostile.events.length - 1]).toMatchObject({ type: "run.awaiting_review" });
    // The run took the pool's entry; the refill made a new one; every entry is its commit exactly.
    const afterHostile = await wholeEntries(pool);
    expect(afterHostile.filter((n) => beforeHostile.includes(n))).toEqual([]);
    expect(afterHostile).toHaveLength(config.workspacePoolSize);
    expect((await fs.readdir(pool)).filter((n) => !ENTRY.test(n))).toEqual(["base.json"]);

    // The next run: its files make exactly the base's tree, its own git is clean and on its branch.
    const base = await pipeline.repo.remoteSha("main");
    const next = await run(
      [
        "set -e",
        "export GIT_INDEX_FILE=.git/tree-check",
        "git add --all --force . && git write-tree",
        "unset GIT_INDEX_FILE",
        "git status --porcelain --untracked-files=all",
        "git rev-parse HEAD",
        "test ! -e .git/hooks/post-checkout && test ! -e nested && test ! -e root-link && echo nothing-left",
      ].join("\n"),
    );
    expect(next.stdout).toBe(`${await git(pipeline.repo.url, "rev-parse", `${base}^{tree}`)}\n${base}\nnothing-left\n`);
    // It was prepared from the entry the hostile run's refill made.
    expect((await wholeEntries(pool)).filter((n) => afterHostile.includes(n))).toEqual([]);
  });
});
