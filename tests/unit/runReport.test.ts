import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";
import { describe, expect, it } from "vitest";
import { mdBlock, mdCode, mdText } from "../../lib/markdownText";
import { renderRunReport, runReportFileName, type RunReportInput } from "../../lib/runReport";

/**
 * The run report's Markdown (lib/runReport.ts), read back by a real Markdown renderer (the one
 * the app uses, with GitHub's extensions): text people typed — a prompt holding ``` fences,
 * HTML, headings, links; a file name with backticks; an answer with a table pipe — stays that
 * text and cannot add a heading, a link, HTML or end a code block early.
 */
const HOSTILE_PROMPT = "Fix it.\n```\n# Injected heading\n<script>alert(1)</script>\n````\n[click](https://evil.example) <img src=x onerror=alert(2)>";

function input(overrides: Partial<RunReportInput> = {}): RunReportInput {
  return {
    run: {
      id: "11111111-2222-3333-4444-555555555555",
      title: "# not a heading [link](https://evil.example)",
      prompt: HOSTILE_PROMPT,
      command: null,
      repo: "web<b>",
      baseBranch: "main",
      baseSha: "a".repeat(40),
      branch: "agentdesk/fix-1",
      headSha: "b".repeat(40),
      executor: "agent",
      acpAgent: null,
      model: "claude-sonnet-4-5",
      approvalMode: "all",
      requestedBy: "alice_*@example.com",
      createdAt: "2026-11-30T10:00:00.000Z",
      startedAt: "2026-11-30T10:00:01.000Z",
      finishedAt: "2026-11-30T10:02:31.000Z",
      workedMs: 150_000,
      status: "awaiting_review",
      error: null,
      origin: { kind: "retry", runId: "99999999-2222-3333-4444-555555555555" },
      scheduled: false,
      usage: { inputTokens: 12_345, outputTokens: 678, cacheReadTokens: 9, costUsd: 0.0421, turns: 3 },
    },
    diff: {
      files: [
        { path: "src/a`b`.ts", status: "modified", additions: 3, deletions: 1, binary: false },
        { path: "docs/<i>x</i>.md", status: "added", additions: 10, deletions: 0, binary: false },
      ],
      additions: 13,
      deletions: 1,
      truncated: false,
      headSha: "b".repeat(40),
    },
    checks: [],
    inputs: [
      {
        requestId: "toolu_1",
        kind: "approval",
        status: "answered",
        tool: "shell",
        question: null,
        reasons: ["writes | files"],
        requestedAt: "2026-11-30T10:01:00.000Z",
        resolvedAt: "2026-11-30T10:01:30.000Z",
        decision: "approve",
        answer: null,
        note: "ok </li><li>fake item",
        by: "bob@example.com",
      },
    ],
    decisions: [],
    secretFindings: [],
    appUrl: "https://desk.example",
    generatedAt: "2026-11-30T11:00:00.000Z",
    ...overrides,
  };
}

const html = (markdown: string) => renderToStaticMarkup(createElement(ReactMarkdown, { remarkPlugins: [remarkGfm] }, markdown));
const headings = (rendered: string) => [...rendered.matchAll(/<h([1-6])>(.*?)<\/h\1>/g)].map((m) => `h${m[1]} ${m[2]}`);
const decode = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, "&");

describe("the run report's Markdown", () => {
  it("has exactly its own headings and links, and no HTML, whatever the prompt, title, names and answers hold", () => {
    const rendered = html(renderRunReport(input()));
    expect(headings(rendered)).toEqual([
      'h1 Run report: # not a heading [link](<a href="https://evil.example">https://evil.example</a>)',
      "h2 Task",
      "h3 Prompt",
      "h2 Outcome",
      "h2 Changes",
      "h2 Checks",
      "h2 Cost",
      "h2 Decisions",
      "h3 Approvals and questions",
      "h2 Secret findings",
    ]);
    // The report's own links, and GitHub-style autolinks of addresses written out (their text is the address: nothing hidden).
    const anchors = [...rendered.matchAll(/<a href="([^"]*)">(.*?)<\/a>/g)].map((m) => ({ href: decode(m[1]!), text: decode(m[2]!.replace(/<[^>]+>/g, "")) }));
    expect(anchors.filter((a) => a.href.startsWith("https://desk.example/")).map((a) => a.href)).toEqual([
      "https://desk.example/runs/11111111-2222-3333-4444-555555555555",
      "https://desk.example/runs/99999999-2222-3333-4444-555555555555",
      "https://desk.example/api/runs/11111111-2222-3333-4444-555555555555/diff?format=patch",
    ]);
    for (const a of anchors.filter((x) => !x.href.startsWith("https://desk.example/"))) expect(a.href.replace(/^mailto:/, "")).toBe(a.text);
    expect(rendered).not.toMatch(/<(script|img|b|i)[ >]/);
    // The prompt is one code block holding the prompt exactly.
    const blocks = [...rendered.matchAll(/<pre><code[^>]*>([\s\S]*?)<\/code><\/pre>/g)].map((m) => decode(m[1]!));
    expect(blocks).toEqual([`${HOSTILE_PROMPT}\n`]);
    // File names with backticks and HTML read as themselves.
    const codes = [...rendered.matchAll(/<code>(.*?)<\/code>/g)].map((m) => decode(m[1]!));
    expect(codes).toEqual(expect.arrayContaining(["src/a`b`.ts", "docs/<i>x</i>.md", "shell", "agentdesk/fix-1"]));
    expect(decode(rendered)).toContain("note: ok </li><li>fake item");
    expect(decode(rendered)).toContain("alice_*@example.com");
  });

  it("says what was asked, what changed, the cost and the decisions", () => {
    const md = renderRunReport(input({ decisions: [{ number: 1, action: "push", by: "carol@example.com", feedback: null, pullRequest: true, headSha: "b".repeat(40), createdAt: "2026-11-30T10:05:00.000Z" }] }));
    expect(md).toContain("Status: **Awaiting review**");
    expect(md).toContain("Worked: 2 min 30 s");
    expect(md).toContain("- $0.0421");
    expect(md).toContain("12,345 in, 678 out");
    expect(md).toContain("Model turns: 3");
    expect(md).toContain("2 files, +13 −1");
    expect(md).toContain("Retry of run");
    expect(md).toMatch(/Approval of `shell` \(asked .*\): \*\*approved by bob@example.com at 2026-11-30T10:01:30\.000Z\*\*/);
    expect(md).toMatch(/\*\*Push\*\* with a pull request by carol@example.com/);
    expect(md).toContain("No checks ran.");
    expect(md).toContain("No known secret was found in the changes.");
  });

  it("lists checks with their result and a failing one's output, and secret findings by name only", () => {
    const md = renderRunReport(
      input({
        checks: [
          { checkId: "c1", phase: "post", name: "tests", command: "npm test", source: "admin", status: "failed", exitCode: 1, timedOut: false, durationMs: 4200, output: "1 failing\n```\nboom", truncated: false, headSha: null, error: null, startedAt: "", finishedAt: null },
          { checkId: "c2", phase: "pre", name: "lint", command: "npm run lint", source: "repository", status: "passed", exitCode: 0, timedOut: false, durationMs: 900, output: "", truncated: false, headSha: null, error: null, startedAt: "", finishedAt: null },
        ],
        secretFindings: [{ file: "config.js", line: 4, secret: "DEPLOY_TOKEN" }],
      }),
    );
    expect(md).toContain("Post-run check tests: **failed (exit 1)** in 4 s, `npm test` (set by an admin)");
    expect(md).toContain("Pre-run check lint: **passed**");
    expect(md).toContain("- `DEPLOY_TOKEN` in `config.js` line 4");
    const rendered = html(md);
    expect(headings(rendered).filter((h) => h.startsWith("h2"))).toHaveLength(7);
    expect(decode(rendered)).toContain("1 failing\n```\nboom");
  });

  it("escapes with helpers that hold for any text", () => {
    expect(mdCode("a`b")).toBe("``a`b``");
    expect(mdCode("`x")).toBe("`` `x ``");
    expect(mdBlock("```\nx").startsWith("````text\n")).toBe(true);
    expect(mdText("# [a](b) <c>\nd*e_f `g` a|b &amp; ~~s~~ \\")).toBe("# \\[a\\](b) \\<c\\> d\\*e\\_f \\`g\\` a\\|b \\&amp; \\~\\~s\\~\\~ \\\\");
    expect(runReportFileName("ab/../c")).toBe("agentdesk-run-abc.md");
  });

  it("a run with nothing to report says so", () => {
    const md = renderRunReport(input({ diff: null, inputs: [], run: { ...input().run, status: "failed", error: "model overloaded\n<b>", origin: null, workedMs: null } }));
    expect(md).toContain("No changes were recorded.");
    expect(md).toContain("Nobody was asked anything, and no review decision was made.");
    expect(md).toContain("Worked: not started");
    expect(html(md)).not.toContain("<b>");
  });
});
