import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { appendToFeed, emptyFeed } from "../../components/feed/feedModel";
import { RunFeed } from "../../components/feed/RunFeed";
import { liveReviewChecks } from "../../components/review/liveChecks";
import type { RunEvent } from "../../lib/events";

let seq = 0;
const at = "2026-01-01T00:00:00.000Z";
const event = (body: Record<string, unknown>) => ({ id: `1-${++seq}`, event: { runId: "r", seq, at, ...body } as RunEvent });
const started = (checkId: string, name: string, phase = "post") =>
  event({ type: "check.started", checkId, phase, name, command: `npm run ${name}`, source: "admin", timeoutSec: 60 });
const finished = (checkId: string, name: string, ok: boolean, phase = "post") =>
  event({ type: "check.finished", checkId, phase, name, ok, exitCode: ok ? 0 : 2, timedOut: false, durationMs: 2100, output: "", truncated: false });

describe("a repository check in the feed", () => {
  it("is one step: its start, its output and its end together, between other rows", () => {
    const feed = appendToFeed(emptyFeed(), [
      started("k1", "tests"),
      event({ type: "log", level: "info", stream: "stdout", callId: "k1", message: "1 failing test\n" }),
      event({ type: "log", level: "warn", message: "1 post-run check failed (tests): flagged for the review" }),
      finished("k1", "tests", false),
    ]);
    expect(feed.items.map((i) => i.kind)).toEqual(["check", "event"]);
    const step = feed.items[0]!;
    expect(step.kind === "check" && step.output.map((l) => l.message)).toEqual(["1 failing test\n"]);
    expect(step.kind === "check" && step.finished?.ok).toBe(false);

    const html = renderToStaticMarkup(createElement(RunFeed, { items: feed.items, runStatus: "running", inBar: new Set<string>() }));
    expect(html).toContain("Post-run check “tests” failed (2.1 s)");
    expect(html).toContain("$ npm run tests");
    expect(html).toContain("1 failing test");
    expect(html).toContain('data-check-outcome="error"');
    expect(html).toContain("exit 2");
  });

  it("shows an end whose start it never saw on its own, and names the phase", () => {
    const feed = appendToFeed(emptyFeed(), [finished("k9", "notify", true, "error")]);
    expect(feed.items.map((i) => i.kind)).toEqual(["event"]);
    expect(renderToStaticMarkup(createElement(RunFeed, { items: feed.items, runStatus: "running", inBar: new Set<string>() }))).toContain("Error hook “notify” passed");
  });
});

describe("the review's checks from the live feed", () => {
  it("takes the latest post-run check of each name on the reviewed commit", () => {
    const head = "a".repeat(40);
    const on = (e: ReturnType<typeof event>, headSha: string) => ({ ...e, event: { ...e.event, headSha } as RunEvent });
    const feed = appendToFeed(emptyFeed(), [
      on(started("p1", "lint", "pre"), head),
      on(finished("p1", "lint", false, "pre"), head),
      on(started("o1", "tests"), "b".repeat(40)),
      on(finished("o1", "tests", false), "b".repeat(40)),
      on(started("n1", "tests"), head),
      on(finished("n1", "tests", false), head),
      on(started("n2", "tests"), head),
      on(finished("n2", "tests", true), head),
      on(started("n3", "types"), head),
    ]);
    expect(liveReviewChecks(feed.items, head).map((c) => [c.checkId, c.status, c.exitCode])).toEqual([
      ["n2", "passed", 0],
      ["n3", "running", null],
    ]);
  });
});
