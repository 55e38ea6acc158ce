import fs from "node:fs/promises";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { runRepoPath } from "../../jobs/git/runRepo";
import { runJobOptions } from "../../lib/queue";
import { turn } from "../support/fakeAnthropic";
import { git } from "../support/gitRepo";
import { eventually, hasEnded, makeRunPayload, waitForEvents } from "../jobs/helpers";
import { lastEvent, ofType } from "../agent/agentHarness";
import { crashResumeSetup, recoverStalledJob } from "../agent/crashResumeSupport";

/**
 * A `claude-code` run whose job process is SIGKILLed while the model "thinks": nothing of its
 * sandbox lives on (the CLI and its commands die with the sandbox's PID namespace), and another
 * job process resumes the Claude Code session from the last checkpoint.
 */
const setup = crashResumeSetup({ "notes.txt": "zero\n" });

/** The processes below `pid` (children, grandchildren, …) on this machine. */
async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await fs.readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, "utf8").catch(() => null);
    if (stat) parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, of] of parents) {
      if (of === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/** Whether a process is still there (a zombie nobody reaped counts as gone). */
async function alive(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}

const cmdline = (pid: number) => fs.readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");

/** The conversation a checkpoint's saved session holds (its transcript files, unpacked). */
async function savedTranscript(runId: string): Promise<string> {
  const raw = await setup.redis.get(setup.log.keys.runCheckpoint(runId));
  if (!raw) return "";
  const { state } = JSON.parse(raw) as { state: { files: Record<string, string> } };
  return Object.values(state.files)
    .map((packed) => zlib.gunzipSync(Buffer.from(packed, "base64")).toString("utf8"))
    .join("\n");
}

describe("claude-code crash resume across job processes", () => {
  it("leaves no Claude Code process behind a killed job process and resumes its session on another one", async () => {
    const { fake, queue, log, repo, machine, machines } = setup;
    fake.setScript([
      turn.tool("Bash", { command: "echo one > notes.txt", description: "one" }, { id: "toolu_1" }),
      turn.tool("Bash", { command: "echo two > two.txt && sleep 0.2", description: "two" }, { id: "toolu_2" }),
      // The third request hangs mid-answer: the job process dies while the model "thinks".
      { ...turn.text("Now let me finish"), hangAfterEvents: 3 },
    ]);
    const first = await machine("one");
    const payload = makeRunPayload(repo.url, { executor: "claude-code", command: null, prompt: "Count in notes.txt" });
    await queue.add("run", payload, runJobOptions(payload.runId, "normal"));
    await fake.hung();
    // The session was saved with the second call's result.
    await eventually(async () => ((await savedTranscript(payload.runId)).includes('"tool_use_id":"toolu_2"') ? true : undefined), 10_000);

    // The CLI runs in a sandbox below the job process.
    const below = await descendants(first.proc.pid!);
    const cli = [];
    for (const pid of below) if ((await cmdline(pid)).includes("claude-agent-sdk-linux-x64/claude")) cli.push(pid);
    expect(cli.length).toBeGreaterThan(0);

    first.proc.kill("SIGKILL");
    await first.exited;
    // Nothing of the run's sandbox survives its job process: no CLI, no bwrap, no shell.
    await eventually(async () => ((await Promise.all(below.map(alive))).some(Boolean) ? undefined : true), 10_000);

    await recoverStalledJob(setup, payload.runId);
    const resumedAt = fake.requests.length;
    fake.setScript([
      turn.tool("Write", { file_path: "/workspace/three.txt", content: "three\n" }, { id: "toolu_3" }),
      turn.text("Counted to three."),
    ]);
    const second = await machine("two");
    const events = await waitForEvents(log, payload.runId, hasEnded, 90_000);

    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review", branch: payload.branch });
    expect(ofType(events, "run.started").map((s) => [s.worker, s.resumed])).toEqual([
      [first.worker, false],
      [second.worker, true],
    ]);
    // The resumed session is the same conversation, told to continue.
    const resumed = JSON.stringify(fake.requests[resumedAt]!.body.messages);
    expect(resumed).toContain("toolu_1");
    expect(resumed).toContain('"tool_use_id":"toolu_2"');
    expect(resumed).toContain("stopped unexpectedly");
    // Calls before the checkpoint did not run again.
    expect(ofType(events, "tool.started").map((e) => e.callId)).toEqual(["toolu_1", "toolu_2", "toolu_3"]);

    const diff = ofType(events, "diff.ready")[0]!;
    expect(diff.files.map((f) => f.path).sort()).toEqual(["notes.txt", "three.txt", "two.txt"]);
    const mirror = runRepoPath(path.join(machines, "two"), payload.runId);
    expect(await git(mirror, "show", `${payload.branch}:notes.txt`)).toBe("one");
    expect(await git(mirror, "log", "--format=%s", `${diff.baseSha}..${payload.branch}`)).toBe("Count in notes.txt");

    second.proc.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 180_000);
});
