import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckSpec } from "../../lib/contracts/environment";
import type { RunEvent } from "../../lib/events";
import { lastEvent, ofType, startAgentHarness, type AgentHarness } from "../agent/agentHarness";
import { spec } from "../environment/support";
import { typeSequence } from "../jobs/helpers";

/**
 * Repository hooks in the whole pipeline: a real BullMQ worker, the cli executor, real git and
 * bubblewrap. Pre-run checks gate the executor, post-run checks run on the committed changes
 * and are flagged (not fatal), error hooks run when the run fails and change nothing.
 */
let h: AgentHarness;

beforeAll(async () => {
  h = await startAgentHarness({ executor: "cli", files: { ".agentdesk/environment.json": JSON.stringify({ checks: { post: [{ name: "repo-file", command: "echo from the repository" }] } }) } });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const check = (name: string, command: string, timeoutSec = 60): CheckSpec => ({ name, command, timeoutSec });
const checks = (c: Partial<{ pre: CheckSpec[]; post: CheckSpec[]; onError: CheckSpec[] }>) => ({ pre: [], post: [], onError: [], ...c });

/** A check's streamed output in the feed (its `log` events). */
function outputOf(events: RunEvent[], name: string): string {
  const started = ofType(events, "check.started").find((e) => e.name === name);
  if (!started) return "";
  return ofType(events, "log")
    .filter((e) => e.callId === started.checkId && e.stream)
    .map((e) => e.message)
    .join("");
}

describe("repository hooks in a run", () => {
  it("a failing pre-run check aborts the run before the executor: the error names it, its exit code and output; the error hook runs", async () => {
    const { events } = await h.run([], {
      command: "echo made > made.txt",
      environment: spec({
        checks: checks({
          pre: [check("ok-first", "echo fine"), check("lint", "echo 'checking the tree'; echo '3 problems found' >&2; exit 1"), check("never", "echo never")],
          onError: [check("notify", 'echo "hook saw: $AGENTDESK_RUN_ERROR"'), check("broken-hook", "exit 5")],
        }),
      }),
    });
    const failed = lastEvent(events);
    expect(failed).toMatchObject({ type: "run.failed" });
    const error = (failed as { error: string }).error;
    expect(error).toContain('pre-run check "lint" failed (exit 1)');
    expect(error).toContain("3 problems found");

    const finished = ofType(events, "check.finished");
    expect(finished.map((e) => [e.phase, e.name, e.ok, e.exitCode])).toEqual([
      ["pre", "ok-first", true, 0],
      ["pre", "lint", false, 1],
      ["error", "notify", true, 0],
      ["error", "broken-hook", false, 5],
    ]);
    expect(outputOf(events, "lint")).toContain("checking the tree");
    // The executor never ran: no shell call, no commit, nothing to review.
    expect(ofType(events, "tool.started")).toEqual([]);
    expect(ofType(events, "diff.ready")).toEqual([]);
    expect(ofType(events, "log").some((e) => e.message.includes("the run made changes"))).toBe(false);
    // The error hook saw the run's error, and ran before the run said it failed.
    expect(outputOf(events, "notify")).toContain('hook saw: pre-run check "lint" failed');
    const order = typeSequence(events);
    expect(order.lastIndexOf("check.finished")).toBeLessThan(order.indexOf("run.failed"));
  });

  it("post-run checks run on the committed changes: a failure is flagged, the run still goes to review", async () => {
    const { events } = await h.run([], {
      command: "echo made > made.txt",
      environment: spec({
        checks: checks({
          post: [
            check("sees-change", "test -f made.txt && echo 'made.txt is there' && echo junk > check-artifact.txt"),
            check("tests", "echo '1 failing test' ; exit 2"),
          ],
          onError: [check("notify", "echo never on success")],
        }),
      }),
    });
    const review = lastEvent(events);
    expect(review).toMatchObject({ type: "run.awaiting_review" });
    const headSha = (review as { headSha: string }).headSha;
    const finished = ofType(events, "check.finished");
    expect(finished.map((e) => [e.phase, e.name, e.ok, e.exitCode, e.headSha])).toEqual([
      ["post", "sees-change", true, 0, headSha],
      ["post", "tests", false, 2, headSha],
    ]);
    expect(finished[1]!.output).toContain("1 failing test");
    expect(finished[1]!.durationMs).toBeGreaterThan(0);
    expect(outputOf(events, "sees-change")).toContain("made.txt is there");
    expect(ofType(events, "log").some((e) => e.level === "warn" && e.message.includes("1 post-run check failed (tests)"))).toBe(true);
    // What a check leaves behind is not part of the changes under review.
    expect(ofType(events, "diff.ready")[0]!.files.map((f) => f.path)).toEqual(["made.txt"]);
    const order = typeSequence(events);
    expect(order.lastIndexOf("check.finished")).toBeLessThan(order.indexOf("diff.ready"));
  });

  it("an executor that fails runs the error hooks; a run with no changes runs no post checks", async () => {
    const failing = await h.run([], {
      command: "echo oops; exit 3",
      environment: spec({ checks: checks({ post: [check("tests", "echo never")], onError: [check("notify", 'echo "failed: $AGENTDESK_RUN_ERROR"')] }) }),
    });
    expect(lastEvent(failing.events)).toMatchObject({ type: "run.failed" });
    expect(ofType(failing.events, "check.finished").map((e) => [e.phase, e.ok])).toEqual([["error", true]]);
    expect(outputOf(failing.events, "notify")).toMatch(/failed: .+/);

    const nothing = await h.run([], { command: "true", environment: spec({ checks: checks({ post: [check("tests", "echo never")] }) }) });
    expect(lastEvent(nothing.events)).toMatchObject({ type: "run.completed" });
    expect(ofType(nothing.events, "check.started")).toEqual([]);
  });

  it("stops a check at its timeout: failed, timed out, no exit code", async () => {
    const started = Date.now();
    const { events } = await h.run([], {
      command: "echo made > made.txt",
      environment: spec({ checks: checks({ post: [check("slow", "echo starting; sleep 60", 1)] }) }),
    });
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
    expect(ofType(events, "check.finished")[0]).toMatchObject({ ok: false, timedOut: true, exitCode: null, error: "timed out after 1 s" });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("takes a phase from the repository's file when the admin left it empty, and never when the admin forbids the file", async () => {
    const fromFile = await h.run([], { command: "echo made > made.txt", environment: null });
    expect(ofType(fromFile.events, "check.finished").map((e) => [e.name, e.ok])).toEqual([["repo-file", true]]);
    expect(ofType(fromFile.events, "check.started")[0]).toMatchObject({ source: "repository", command: "echo from the repository" });

    const admins = await h.run([], { command: "echo made > made.txt", environment: spec({ checks: checks({ post: [check("admin", "true")] }) }) });
    expect(ofType(admins.events, "check.started").map((e) => [e.name, e.source])).toEqual([["admin", "admin"]]);

    const forbidden = await h.run([], { command: "echo made > made.txt", environment: spec({ useRepositoryFile: false }) });
    expect(ofType(forbidden.events, "check.started")).toEqual([]);
  });
});
