import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { EnvironmentStep } from "../../components/feed/EnvironmentStep";
import { environmentTitle, stepDuration } from "../../components/feed/EnvironmentStep";
import { formatBytes } from "../../lib/byteSize";
import { appendToFeed, emptyFeed } from "../../components/feed/feedModel";
import type { RunEvent } from "../../lib/events";
import { formatRunLog } from "../../lib/runLogText";

let seq = 0;
const at = "2026-01-01T00:00:00.000Z";
const event = (body: Record<string, unknown>) => ({ id: `1-${++seq}`, event: { runId: "r", seq, at, ...body } as RunEvent });

const started = event({ type: "environment.started", stepId: "env_1", source: "admin", cache: "miss" });
const output = event({ type: "log", level: "info", stream: "stdout", callId: "env_1", message: "added 1 package\n" });
const note = event({ type: "log", level: "info", callId: "env_1", message: "Cached for the next runs: 2.1 KiB in 3 files" });
const finished = event({ type: "environment.finished", stepId: "env_1", ok: true, cache: "miss", durationMs: 4200, bytes: 2100, files: 3 });

describe("the environment step in the feed", () => {
  it("gathers its start, output, notes and end into one step, in order, across batches", () => {
    const feed = appendToFeed(appendToFeed(emptyFeed(), [started, output]), [note, finished, output]);
    expect(feed.items).toHaveLength(1);
    const [step] = feed.items;
    expect(step).toMatchObject({ kind: "environment", stepId: "env_1", started: started.event, finished: finished.event });
    expect(step!.kind === "environment" && step!.output.map((l) => l.message)).toEqual(["added 1 package\n", "Cached for the next runs: 2.1 KiB in 3 files"]);
  });

  it("keeps a tool call's output apart, and shows an end without its start on its own", () => {
    const tool = event({ type: "log", level: "info", stream: "stdout", callId: "toolu_1", message: "npm test\n" });
    const orphan = event({ type: "environment.finished", stepId: "env_gone", ok: false, cache: "miss", durationMs: 10, exitCode: 3, error: "environment setup failed (exit 3)" });
    const feed = appendToFeed(emptyFeed(), [started, tool, orphan]);
    expect(feed.items.map((i) => i.kind)).toEqual(["environment", "tool", "event"]);
  });

  it("says what happened and how long it took", () => {
    const done = (fields: Record<string, unknown>) => ({ ...finished.event, ...fields }) as Extract<RunEvent, { type: "environment.finished" }>;
    expect(environmentTitle(undefined, "miss")).toBe("Setting up the environment");
    expect(environmentTitle(undefined, "hit")).toBe("Restoring the environment from the cache");
    expect(environmentTitle(done({ cache: "hit", durationMs: 1234 }))).toBe("Environment restored from cache (1.2 s)");
    expect(environmentTitle(done({ cache: "maintenance", durationMs: 3000 }))).toBe("Environment restored from cache and updated (3.0 s)");
    expect(environmentTitle(done({ cache: "miss", durationMs: 65_000 }))).toBe("Environment set up (1m 05s)");
    expect(environmentTitle(done({ ok: false, durationMs: 400 }))).toBe("Environment setup failed (400 ms)");
    expect(stepDuration(9_949)).toBe("9.9 s");
    expect(formatBytes(512)).toBe("512 bytes");
    expect(formatBytes(12_345_678)).toBe("12 MiB");
    expect(formatBytes(2_150)).toBe("2.1 KiB");
    expect(formatBytes(3 * 1024 ** 3)).toBe("3.0 GiB");
  });

  it("is in the run's log text", () => {
    const text = formatRunLog([started.event, output.event, finished.event]);
    expect(text).toContain("environment.started");
    expect(text).toContain("setting up (admin; output under env_1)");
    expect(text).toContain("env_1 stdout| added 1 package");
    expect(text).toContain("ready in 4200 ms (set up, 2100 bytes)");
  });
});

describe("EnvironmentStep", () => {
  const render = (batch: { id: string; event: RunEvent }[]) => {
    const [item] = appendToFeed(emptyFeed(), batch).items;
    if (item?.kind !== "environment") throw new Error("no environment step");
    return renderToStaticMarkup(createElement(EnvironmentStep, { item }));
  };

  it("shows a failed setup open, red, with its exit code, error and output", () => {
    const failed = event({ type: "environment.finished", stepId: "env_1", ok: false, cache: "miss", durationMs: 2500, exitCode: 3, error: "environment setup failed (exit 3)" });
    const html = render([started, output, failed]);
    expect(html).toContain("Environment setup failed (2.5 s)");
    expect(html).toContain("exit 3");
    expect(html).toContain("environment setup failed (exit 3)");
    expect(html).toContain("added 1 package");
    expect(html).toContain('data-environment-outcome="error"');
    expect(html).toMatch(/<details[^>]* open=""/);
  });

  it("shows a cached environment closed, with its time and size", () => {
    const hit = event({ type: "environment.finished", stepId: "env_1", ok: true, cache: "hit", durationMs: 1234, bytes: 5 * 1024 * 1024, files: 6201 });
    const html = render([{ ...started, event: { ...started.event, cache: "hit" } as RunEvent }, hit]);
    expect(html).toContain("Environment restored from cache (1.2 s)");
    expect(html).toContain("5.0 MiB · 6,201 files");
    expect(html).toContain("from the repository&#x27;s settings");
    expect(html).not.toMatch(/<details[^>]* open=""/);
  });

  it("shows a step still running open, with its output so far", () => {
    const html = render([started, output]);
    expect(html).toContain("Setting up the environment");
    expect(html).toContain("running");
    expect(html).toMatch(/<details[^>]* open=""/);
  });
});
