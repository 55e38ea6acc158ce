import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRepoPath } from "../../jobs/git/runRepo";
import { loadRunBundle } from "../../jobs/git/bundle";
import type { ContentBlockParam } from "../support/fakeAnthropic";
import { turn } from "../support/fakeAnthropic";
import { git } from "../support/gitRepo";
import { typeSequence } from "../jobs/helpers";
import { lastEvent, ofType, startAgentHarness, type AgentHarness } from "./agentHarness";

let h: AgentHarness;

beforeAll(async () => {
  h = await startAgentHarness({
    files: {
      "README.md": "# Greeter\n",
      "src/greet.js": 'export function greet(name) {\n  return "Hello, " + name;\n}\n',
    },
  });
});
afterAll(async () => {
  await h?.close();
});

const blocksOf = (content: string | ContentBlockParam[]): ContentBlockParam[] =>
  typeof content === "string" ? [{ type: "text", text: content }] : content;

describe("agent executor: a scripted run end to end", () => {
  it("explores, reads, is refused outside its workspace, edits, writes, runs a command and ends in review", async () => {
    const { payload, events } = await h.run([
      turn.tool("list_directory", {}, { text: "Let me look at the repository first.", id: "toolu_list" }),
      turn.tool("search", { pattern: "Hello" }, { id: "toolu_search" }),
      turn.tool("read_file", { path: "src/greet.js" }, { id: "toolu_read" }),
      turn.tool("read_file", { path: "../../etc/passwd" }, { id: "toolu_escape" }),
      turn.tool("edit_file", { path: "src/greet.js", old_string: '"Hello, "', new_string: '"Hi, "' }, { id: "toolu_edit" }),
      turn.tool("write_file", { path: "NOTES.md", content: "Greeting is now shorter.\n" }, { id: "toolu_write" }),
      turn.tool("shell", { command: "cat NOTES.md && echo to-stderr >&2" }, { id: "toolu_shell" }),
      turn.text("I changed the greeting to \"Hi\" and left a note in NOTES.md."),
    ]);

    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review", branch: payload.branch });
    const sequence = typeSequence(events);
    expect(sequence.slice(0, 3)).toEqual(["run.started", "workspace.ready", "assistant.text"]);
    expect(sequence.slice(-2)).toEqual(["diff.ready", "run.awaiting_review"]);

    // Every tool call in the feed, with its result, in order.
    const started = ofType(events, "tool.started");
    expect(started.map((e) => [e.callId, e.tool])).toEqual([
      ["toolu_list", "list_directory"],
      ["toolu_search", "search"],
      ["toolu_read", "read_file"],
      ["toolu_escape", "read_file"],
      ["toolu_edit", "edit_file"],
      ["toolu_write", "write_file"],
      ["toolu_shell", "shell"],
    ]);
    expect(started[4]!.input).toEqual({ path: "src/greet.js", old_string: '"Hello, "', new_string: '"Hi, "' });
    const finished = new Map(ofType(events, "tool.finished").map((e) => [e.callId, e]));
    expect(finished.get("toolu_list")).toMatchObject({ ok: true, output: expect.stringContaining("src") });
    expect(finished.get("toolu_search")).toMatchObject({ ok: true, output: expect.stringContaining("src/greet.js") });
    expect(finished.get("toolu_read")).toMatchObject({ ok: true, output: expect.stringContaining("Hello, ") });
    expect(finished.get("toolu_escape")).toMatchObject({ ok: false });
    expect(finished.get("toolu_escape")!.output).toMatch(/outside|refused/i);
    expect(finished.get("toolu_shell")).toMatchObject({ ok: true });
    for (const e of finished.values()) expect(e.durationMs).toBeGreaterThanOrEqual(0);
    // The write's diff reaches the feed (through the event log's validation); the model's result stays the short line.
    expect(finished.get("toolu_write")).toMatchObject({
      output: "created NOTES.md (25 bytes)",
      fileChange: { path: "NOTES.md", created: true, additions: 1, deletions: 0, hunks: [{ lines: ["+Greeting is now shorter."] }] },
    });

    // The shell's output streamed live, tagged with its call.
    const output = ofType(events, "log").filter((e) => e.callId === "toolu_shell");
    expect(output.map((e) => e.message).join("")).toContain("Greeting is now shorter.");
    expect(output.some((e) => e.stream === "stderr" && e.message.includes("to-stderr"))).toBe(true);

    // Assistant text reached the feed.
    const said = ofType(events, "assistant.text").map((e) => e.text).join("");
    expect(said).toContain("Let me look at the repository first.");
    expect(said).toContain('I changed the greeting to "Hi"');

    // Usage: running totals after each of the 8 turns, with a cost.
    const usage = ofType(events, "usage");
    expect(usage.map((u) => u.turn)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const total = usage[usage.length - 1]!;
    expect(total.cacheReadTokens).toBe(7 * 1_000);
    expect(total.cacheWriteTokens).toBe(1_000 + 7 * 100);
    expect(total.inputTokens).toBe(8 * 50);
    expect(total.outputTokens).toBeGreaterThan(0);
    // Haiku 4.5: $1 in, $5 out, $0.10 cache read, $1.25 cache write per million tokens.
    const expected = (400 * 1 + total.outputTokens * 5 + 7_000 * 0.1 + 1_700 * 1.25) / 1e6;
    expect(total.costUsd).toBeCloseTo(expected, 10);

    // The diff: the edit and the new file, one commit on the branch.
    const diff = ofType(events, "diff.ready")[0]!;
    expect(diff.files.map((f) => [f.path, f.status]).sort()).toEqual([
      ["NOTES.md", "added"],
      ["src/greet.js", "modified"],
    ]);
    expect(diff.patch).toContain('+  return "Hi, " + name;');
    const commits = await git(runRepoPath(h.config.dataDir, payload.runId), "log", "--format=%s", `${diff.baseSha}..${payload.branch}`);
    expect(commits).toBe("Improve the greeting");
    expect(await h.redis.exists(h.log.keys.runCheckpoint(payload.runId))).toBe(0);
    expect((await loadRunBundle(h.log, payload.runId))?.meta.headSha).toBe(diff.headSha);
  });

  it("sends the model the conversation, the tools, the limits and the cache breakpoints", async () => {
    const { events } = await h.run([
      turn.tool("read_file", { path: "missing.txt" }, { id: "toolu_missing" }),
      turn.text("The file does not exist."),
    ]);
    expect(lastEvent(events)).toMatchObject({ type: "run.completed", reason: "no changes" });
    const [first, second] = h.fake.requests.slice(-2).map((r) => r.body);
    expect(first!.model).toBe("claude-haiku-4-5");
    expect(first!.max_tokens).toBe(8192);
    expect(first!.stream).toBe(true);
    // System prompt: cached, and tells the agent where it is.
    expect(Array.isArray(first!.system)).toBe(true);
    const system = first!.system as { text: string; cache_control?: unknown }[];
    expect(system[0]!.cache_control).toEqual({ type: "ephemeral" });
    expect(system[0]!.text).toContain("test-repo");
    expect(system[0]!.text).toContain("agentdesk/test-");
    // Tools: the seven, the last one carries the breakpoint.
    expect(first!.tools!.map((t) => t.name)).toEqual(["read_file", "write_file", "edit_file", "list_directory", "search", "shell", "ask_human"]);
    expect(first!.tools!.slice(0, -1).every((t) => t.cache_control === undefined)).toBe(true);
    expect(first!.tools![6]!.cache_control).toEqual({ type: "ephemeral" });
    // Conversation: the breakpoint sits on the last block and moves with it.
    expect(first!.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Improve the greeting", cache_control: { type: "ephemeral" } }] },
    ]);
    expect(second!.messages).toHaveLength(3);
    expect(blocksOf(second!.messages[0]!.content)[0]!.cache_control).toBeUndefined();
    expect(second!.messages[1]).toEqual({
      role: "assistant",
      content: [{ type: "tool_use", id: "toolu_missing", name: "read_file", input: { path: "missing.txt" } }],
    });
    // The failed call goes back as an error result the model can act on.
    const result = blocksOf(second!.messages[2]!.content)[0]!;
    expect(result).toMatchObject({
      type: "tool_result",
      tool_use_id: "toolu_missing",
      is_error: true,
      cache_control: { type: "ephemeral" },
    });
    expect(String(result.content)).toMatch(/missing\.txt/);
  });

  it("streams assistant text in coalesced pieces while the model is still answering", async () => {
    const long = "word ".repeat(60);
    const { events } = await h.run([{ content: [{ type: "text", text: long }], chunkDelayMs: 120 }]);
    expect(lastEvent(events).type).toBe("run.completed");
    const texts = ofType(events, "assistant.text");
    // Three deltas 120 ms apart: more than one event (live), fewer than one per delta would allow.
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.map((t) => t.text).join("")).toBe(long);
    const usageAt = Date.parse(ofType(events, "usage")[0]!.at);
    expect(Date.parse(texts[0]!.at)).toBeLessThan(usageAt - 100);
  });
});
