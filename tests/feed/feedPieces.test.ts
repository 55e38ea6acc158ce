import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { appendToFeed, emptyFeed } from "../../components/feed/feedModel";
import { RunFeed } from "../../components/feed/RunFeed";
import { fileEditOf, fileEditsOf, fileWriteOf, hunkLines, inputFields, lineDiff, toolSummary } from "../../components/feed/readableInput";
import { ToolInputView } from "../../components/feed/ToolInput";
import { ToolStep } from "../../components/feed/ToolStep";
import { toolOutput } from "../../components/feed/toolOutput";
import { Markdown } from "../../components/ui/Markdown";
import type { RunEvent } from "../../lib/events";

let seq = 0;
const at = "2026-01-01T00:00:00.000Z";
const event = (body: Record<string, unknown>) => ({ id: `1-${++seq}`, event: { runId: "r", seq, at, ...body } as RunEvent });
const usage = (inputTokens: number, costUsd: number) => event({ type: "usage", inputTokens, outputTokens: 10, cacheReadTokens: 0, costUsd });

describe("the feed model", () => {
  it("shows no row for usage: the totals live in the run's usage summary", () => {
    const feed = appendToFeed(emptyFeed(), [
      event({ type: "assistant.text", text: "Looking.", messageId: "m1" }),
      usage(100, 0.01),
      event({ type: "tool.started", callId: "c1", tool: "shell", input: { command: "ls" } }),
      usage(250, 0.02),
      event({ type: "assistant.text", text: "Done.", messageId: "m2" }),
      usage(400, 0.03),
    ]);
    expect(feed.items.map((i) => i.kind)).toEqual(["text", "tool", "text"]);
    // Each was seen, so a replayed overlap adds nothing either.
    expect(feed.seen.size).toBe(6);
  });

  it("still replaces a plan with the newer one that follows it", () => {
    const plan = (status: string) => event({ type: "agent.plan", entries: [{ content: "step", status, priority: "medium" }] });
    const feed = appendToFeed(emptyFeed(), [plan("pending"), usage(1, 0), plan("completed")]);
    expect(feed.items).toHaveLength(1);
  });
});

describe("a tool call's input, for people", () => {
  it("sums a call up on one line: the command, else the path, pattern or first text", () => {
    expect(toolSummary({ command: "npm test\n  -- --watch=false" })).toBe("npm test -- --watch=false");
    expect(toolSummary("git status")).toBe("git status");
    expect(toolSummary({ path: "src/app.ts", old_string: "a", new_string: "b" })).toBe("src/app.ts");
    expect(toolSummary({ file_path: "/w/README.md", content: "x" })).toBe("/w/README.md");
    expect(toolSummary({ pattern: "TODO", path: "src" })).toBe("TODO");
    expect(toolSummary({ limit: 3, name: "lint" })).toBe("lint");
    expect(toolSummary({ limit: 3 })).toBe("");
    expect(toolSummary(undefined)).toBe("");
    expect(toolSummary({ command: "x".repeat(400) }).length).toBe(160);
  });

  it("lists fields as key: value, prose as text, code and nested values in monospace", () => {
    expect(inputFields({ path: "a.ts", offset: 10, recursive: true, question: "Which one?", extra: { a: [1, 2] } })).toEqual([
      { key: "path", value: "a.ts", mono: true, block: false },
      { key: "offset", value: "10", mono: true, block: false },
      { key: "recursive", value: "true", mono: true, block: false },
      { key: "question", value: "Which one?", mono: false, block: false },
      { key: "extra", value: '{"a":[1,2]}', mono: true, block: false },
    ]);
    expect(inputFields({ content: "line 1\nline 2" })).toEqual([{ key: "content", value: "line 1\nline 2", mono: true, block: true }]);
    expect(inputFields(null)).toEqual([]);
  });

  it("reads edit_file and Claude Code's Edit as a file edit, nothing else", () => {
    expect(fileEditOf({ path: "a.ts", old_string: "x", new_string: "y" })).toEqual({ path: "a.ts", before: "x", after: "y" });
    expect(fileEditOf({ file_path: "/w/a.ts", old_string: "x", new_string: "y", replace_all: true })).toEqual({ path: "/w/a.ts", before: "x", after: "y" });
    expect(fileEditOf({ path: "a.ts", content: "x" })).toBeNull();
    expect(fileEditOf({ command: "ls" })).toBeNull();
  });

  it("diffs lines as a unified diff does: kept lines, removed before added", () => {
    const diff = lineDiff("function greet() {\n  return 'hi';\n}", "function greet(name) {\n  return 'hi';\n}\nexport { greet };");
    expect(diff.map((l) => `${l.op}${l.text}`)).toEqual([
      "-function greet() {",
      "+function greet(name) {",
      "   return 'hi';",
      " }",
      "+export { greet };",
    ]);
    expect(lineDiff("a", "a")).toEqual([{ op: " ", text: "a" }]);
    expect(lineDiff("a\nb\nc", "a\nc").map((l) => l.op)).toEqual([" ", "-", " "]);
  });

  it("renders an edit as a diff and a command as itself, never as JSON", () => {
    const edit = renderToStaticMarkup(createElement(ToolInputView, { input: { path: "src/a.ts", old_string: "const a = 1;", new_string: "const a = 2;" } }));
    expect(edit).toContain('data-edit-diff="src/a.ts"');
    expect(edit).toContain('data-diff-op="-"');
    expect(edit).toContain('data-diff-op="+"');
    expect(edit).not.toContain("old_string");
    const command = renderToStaticMarkup(createElement(ToolInputView, { input: { command: "rm -rf build" }, marker: "data-request-input" }));
    expect(command).toContain("<span data-request-input=\"\">rm -rf build</span>");
    const fields = renderToStaticMarkup(createElement(ToolInputView, { input: { path: "docs", depth: 2 } }));
    expect(fields).not.toContain("{");
    expect(fields).toContain("path:");
  });
});

describe("a file write, for people", () => {
  it("reads write_file and Claude Code's Write as a whole-file write, and MultiEdit as its edits", () => {
    expect(fileWriteOf({ path: "NOTES.md", content: "hi\n" })).toEqual({ path: "NOTES.md", content: "hi\n" });
    expect(fileWriteOf({ file_path: "/w/a.ts", content: "x" })).toEqual({ path: "/w/a.ts", content: "x" });
    expect(fileWriteOf({ path: "a.ts", old_string: "x", new_string: "y" })).toBeNull();
    expect(fileWriteOf({ content: "no path" })).toBeNull();
    expect(fileEditsOf({ file_path: "/w/a.ts", edits: [{ old_string: "a", new_string: "b" }, { old_string: "c", new_string: "d", replace_all: true }] })).toEqual([
      { path: "/w/a.ts", before: "a", after: "b" },
      { path: "/w/a.ts", before: "c", after: "d" },
    ]);
    expect(fileEditsOf({ file_path: "/w/a.ts", edits: [{ old_string: "a" }] })).toBeNull();
    expect(fileEditsOf({ file_path: "/w/a.ts", edits: [] })).toBeNull();
  });

  it("reads a hunk's lines by their first character, the no-newline marker included", () => {
    expect(hunkLines([" kept", "-gone", "+came", "\\ No newline at end of file", ""])).toEqual([
      { op: " ", text: "kept" },
      { op: "-", text: "gone" },
      { op: "+", text: "came" },
      { op: "\\", text: "No newline at end of file" },
      { op: " ", text: "" },
    ]);
  });

  it("shows a write that is still running (or Claude Code's Write) as the file, not as key: value", () => {
    const html = renderToStaticMarkup(createElement(ToolInputView, { input: { file_path: "/w/NOTES.md", content: "one\ntwo\n" } }));
    expect(html).toContain('data-file-write="/w/NOTES.md"');
    expect(html).toContain("2 lines");
    expect(html).not.toContain("content:");
    const multi = renderToStaticMarkup(createElement(ToolInputView, { input: { file_path: "a.ts", edits: [{ old_string: "a", new_string: "b" }, { old_string: "c", new_string: "d" }] } }));
    expect(multi.split('data-edit-diff="a.ts"')).toHaveLength(3);
  });

  it("shows a finished write as its diff against the file's previous content, with the counts on the step's line", () => {
    const feed = appendToFeed(emptyFeed(), [
      event({ type: "tool.started", callId: "w1", tool: "write_file", input: { path: "src/a.ts", content: "one\nTWO\nthree\n" } }),
      event({
        type: "tool.finished",
        callId: "w1",
        ok: true,
        output: "updated src/a.ts (14 bytes, was 14)",
        durationMs: 3,
        fileChange: {
          path: "src/a.ts",
          created: false,
          additions: 1,
          deletions: 1,
          hunks: [{ oldStart: 1, oldLines: 3, newStart: 1, newLines: 3, lines: [" one", "-two", "+TWO", " three"] }],
          omittedLines: 12,
        },
      }),
    ]);
    const item = feed.items[0]!;
    if (item.kind !== "tool") throw new Error("expected a tool step");
    const html = renderToStaticMarkup(createElement(ToolStep, { item }));
    expect(html).toContain('data-file-change="src/a.ts"');
    expect(html).toContain("@@ -1,3 +1,3 @@");
    expect(html).toMatch(/data-diff-op="-"[^>]*>.*two</);
    expect(html).toMatch(/data-diff-op="\+"[^>]*>.*TWO</);
    expect(html).toContain("12 more lines of this change not shown here.");
    // The diff replaces the input: the written content is not shown a second time.
    expect(html).not.toContain("data-tool-input");
    expect(html).not.toContain("new file");
  });

  it("marks a created file as new, without a hunk header", () => {
    const html = renderToStaticMarkup(
      createElement(ToolStep, {
        item: {
          kind: "tool",
          key: "k",
          callId: "w2",
          output: [],
          finished: {
            ...(event({ type: "tool.finished" }).event as Extract<RunEvent, { type: "tool.finished" }>),
            callId: "w2",
            ok: true,
            output: "created NOTES.md (3 bytes)",
            durationMs: 1,
            fileChange: { path: "NOTES.md", created: true, additions: 1, deletions: 0, hunks: [{ oldStart: 1, oldLines: 0, newStart: 1, newLines: 1, lines: ["+hi"] }], omittedLines: 0 },
          },
        },
      }),
    );
    expect(html).toContain("new file");
    expect(html).not.toContain("@@");
    expect(html).not.toContain("not shown here");
  });
});

describe("whether a step's output was cut", () => {
  const log = (message: string) => event({ type: "log", level: "info", stream: "stdout", callId: "c1", message }).event as Extract<RunEvent, { type: "log" }>;
  const finished = (fields: Record<string, unknown>) =>
    event({ type: "tool.finished", callId: "c1", ok: true, output: "tail", durationMs: 5, ...fields }).event as Extract<RunEvent, { type: "tool.finished" }>;

  it("is not said under streamed output, which is all there (a capped stream says so itself)", () => {
    // A cli command's tool.finished carries only the end of its output, truncated: true; the feed shows the stream.
    const shown = toolOutput({ output: [log("line 1\n"), log("line 2\n")], finished: finished({ truncated: true }) });
    expect(shown.cut).toBe(false);
    expect(shown.chunks.map((c) => c.text)).toEqual(["line 1\n", "line 2\n"]);
  });

  it("is said only when the reported output is shown and the event says it was cut", () => {
    expect(toolOutput({ output: [], finished: finished({ truncated: true }) })).toMatchObject({ cut: true, chunks: [{ text: "tail" }] });
    expect(toolOutput({ output: [], finished: finished({ truncated: false }) }).cut).toBe(false);
    expect(toolOutput({ output: [], finished: finished({}) }).cut).toBe(false);
    expect(toolOutput({ output: [], finished: undefined })).toEqual({ chunks: [], cut: false });
  });
});

describe("markdown in the run page", () => {
  it("renders markdown and shows HTML as text, never as elements", () => {
    const html = renderToStaticMarkup(createElement(Markdown, { text: "Do **this**:\n\n- one\n- two\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>" }));
    expect(html).toContain("<strong");
    expect(html.match(/<li/g)).toHaveLength(2);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("says who answered a request once: on its card, not again as a row", () => {
    const feed = appendToFeed(emptyFeed(), [
      event({ type: "input.requested", requestId: "q1", kind: "approval", tool: "shell", input: { command: "rm x" }, reasons: ["deletes **files**"] }),
      event({ type: "input.resolved", requestId: "q1", decision: "approve", by: "ada@example.com" }),
    ]);
    const html = renderToStaticMarkup(createElement(RunFeed, { items: feed.items, runStatus: "running", inBar: new Set<string>() }));
    expect(html.match(/Approved/g)).toHaveLength(1);
    expect(html.match(/ada@example.com/g)).toHaveLength(1);
    // The reason's markdown is rendered.
    expect(html).toContain("<strong");
  });
});
