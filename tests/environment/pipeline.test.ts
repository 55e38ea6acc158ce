import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { environmentCacheClearKey, type EnvironmentCacheClear } from "../../lib/contracts/environment";
import { turn } from "../support/fakeAnthropic";
import { git } from "../support/gitRepo";
import { greetingProject, startNpmRegistry, type NpmRegistry } from "../support/npmRegistry";
import { runRepoPath } from "../../jobs/git/runRepo";
import { lastEvent, ofType, startAgentHarness, type AgentHarness } from "../agent/agentHarness";
import { typeSequence } from "../jobs/helpers";
import { npmCiSpec, spec } from "./support";

/**
 * The environment in the whole pipeline: a real BullMQ worker, the agent executor against the
 * fake model API, a Node repository whose setup is `npm ci` against the local registry stand-in.
 */
let registry: NpmRegistry;
let h: AgentHarness;

beforeAll(async () => {
  registry = await startNpmRegistry();
  h = await startAgentHarness({ files: await greetingProject(registry) });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await registry?.close();
});

/** The agent runs the project's tests, then writes a note (so the run has a diff). Records what the registry had seen when the agent started. */
function agentRunsTests(seen: { atAgentStart?: number }) {
  return (_request: unknown, index: number) => {
    if (index === 0) seen.atAgentStart = registry.requests.length;
    if (index === 0) return turn.tool("shell", { command: "npm test" }, { id: "toolu_test" });
    if (index === 1) return turn.tool("write_file", { path: "NOTES.md", content: "Tests pass.\n" }, { id: "toolu_note" });
    return turn.text("The tests pass; I left a note.");
  };
}

describe("a run with an npm ci environment", () => {
  it("sets up once, reuses the cache on the next run; the agent's npm test passes without network; node_modules is never committed", async () => {
    const seen1: { atAgentStart?: number } = {};
    const first = await h.run(agentRunsTests(seen1), { environment: npmCiSpec(registry) });
    expect(lastEvent(first.events)).toMatchObject({ type: "run.awaiting_review" });
    // The environment is its own step between the workspace and the agent.
    const sequence = typeSequence(first.events);
    expect(sequence.indexOf("environment.started")).toBe(sequence.indexOf("workspace.ready") + 1);
    expect(sequence.indexOf("environment.finished")).toBeLessThan(sequence.indexOf("tool.started"));
    expect(ofType(first.events, "environment.finished")[0]).toMatchObject({ ok: true, cache: "miss" });
    expect(registry.downloads("greeting-lib")).toBe(1);

    const testCall = ofType(first.events, "tool.finished").find((e) => e.callId === "toolu_test")!;
    expect(testCall).toMatchObject({ ok: true });
    expect(testCall.output).toContain("tests pass");
    // The agent's turn reached no registry: its sandbox has no network.
    expect(registry.requests.length).toBe(seen1.atAgentStart);

    const diff = ofType(first.events, "diff.ready")[0]!;
    expect(diff.files.map((f) => f.path)).toEqual(["NOTES.md"]);
    const head = ofType(first.events, "run.awaiting_review")[0]!.headSha;
    const tree = await git(runRepoPath(h.config.dataDir, first.payload.runId), "ls-tree", "-r", "--name-only", head);
    expect(tree.split("\n")).not.toContain("node_modules/greeting-lib/index.js");

    const seen2: { atAgentStart?: number } = {};
    const second = await h.run(agentRunsTests(seen2), { environment: npmCiSpec(registry) });
    expect(lastEvent(second.events)).toMatchObject({ type: "run.awaiting_review" });
    expect(ofType(second.events, "environment.started")[0]).toMatchObject({ cache: "hit" });
    expect(ofType(second.events, "environment.finished")[0]).toMatchObject({ ok: true, cache: "hit" });
    expect(ofType(second.events, "log").some((e) => e.message.startsWith("Restored from the cache"))).toBe(true);
    expect(registry.downloads("greeting-lib")).toBe(1);
    expect(ofType(second.events, "tool.finished").find((e) => e.callId === "toolu_test")).toMatchObject({ ok: true });
    expect(registry.requests.length).toBe(seen2.atAgentStart);
    expect(ofType(second.events, "diff.ready")[0]!.files.map((f) => f.path)).toEqual(["NOTES.md"]);
  });

  it("an admin's clear is honoured before the next run looks: it sets up again", async () => {
    const before = registry.downloads("greeting-lib");
    const clear: EnvironmentCacheClear = { at: new Date().toISOString(), repo: "test-repo" };
    await h.redis.lpush(environmentCacheClearKey(h.config.redisPrefix), JSON.stringify(clear));
    const cleared = await h.run(agentRunsTests({}), { environment: npmCiSpec(registry) });
    expect(ofType(cleared.events, "environment.started")[0]).toMatchObject({ cache: "miss" });
    expect(registry.downloads("greeting-lib")).toBe(before + 1);
    const next = await h.run(agentRunsTests({}), { environment: npmCiSpec(registry) });
    expect(ofType(next.events, "environment.started")[0]).toMatchObject({ cache: "hit" });
  });

  it("a failing setup fails the run with its exit code and output before the executor starts", async () => {
    const { events } = await h.run([turn.text("never asked")], {
      environment: spec({ setupScript: "echo fetching dependencies; echo 'registry is down' >&2; exit 3" }),
    });
    expect(lastEvent(events)).toMatchObject({ type: "run.failed", error: "environment setup failed (exit 3)" });
    const finished = ofType(events, "environment.finished")[0]!;
    expect(finished).toMatchObject({ ok: false, exitCode: 3 });
    const output = ofType(events, "log").filter((e) => e.callId === finished.stepId && e.stream).map((e) => e.message).join("");
    expect(output).toContain("fetching dependencies");
    expect(output).toContain("registry is down");
    expect(ofType(events, "tool.started")).toEqual([]);
  });

  it("gives the setup its variables, masked in the feed, and fails naming one that is not set", async () => {
    process.env.ENV_TEST_REGISTRY_TOKEN = "npm_tok_3c1e9f7a2b";
    try {
      const { events } = await h.run([turn.text("Nothing to do.")], {
        environment: spec({ setupScript: 'test -n "$ENV_TEST_REGISTRY_TOKEN"; echo "token is $ENV_TEST_REGISTRY_TOKEN"', setupEnvNames: ["ENV_TEST_REGISTRY_TOKEN"] }),
      });
      expect(ofType(events, "environment.finished")[0]).toMatchObject({ ok: true });
      const output = ofType(events, "log").map((e) => e.message).join("");
      expect(output).toContain("token is ***");
      expect(JSON.stringify(events)).not.toContain("npm_tok_3c1e9f7a2b");
    } finally {
      delete process.env.ENV_TEST_REGISTRY_TOKEN;
    }
    const { events } = await h.run([turn.text("never asked")], {
      environment: spec({ setupScript: "true", setupEnvNames: ["ENV_TEST_NOT_SET_ANYWHERE"] }),
    });
    expect(lastEvent(events)).toMatchObject({ type: "run.failed", error: expect.stringContaining("ENV_TEST_NOT_SET_ANYWHERE") });
  });

  it("places the environment's secret file for the run, which never reaches a commit", async () => {
    process.env.ENV_TEST_DOTENV = "API_TOKEN=dotenv_secret_5f3a9c71\n";
    try {
      const { payload, events } = await h.run([], {
        executor: "cli",
        command: "grep -q API_TOKEN .env && echo done > done.txt",
        environment: spec({ files: [{ path: ".env", env: "ENV_TEST_DOTENV" }] }),
      });
      expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
      // Files without a setup script: no environment step, the file is there all the same.
      expect(ofType(events, "environment.started")).toEqual([]);
      expect(ofType(events, "diff.ready")[0]!.files.map((f) => f.path)).toEqual(["done.txt"]);
      const head = ofType(events, "run.awaiting_review")[0]!.headSha;
      const tree = await git(runRepoPath(h.config.dataDir, payload.runId), "ls-tree", "-r", "--name-only", head);
      expect(tree.split("\n")).not.toContain(".env");
      expect(JSON.stringify(events)).not.toContain("dotenv_secret_5f3a9c71");
    } finally {
      delete process.env.ENV_TEST_DOTENV;
    }
  });

  it("without a setup script there is no environment step", async () => {
    const { events } = await h.run([turn.text("Nothing to do.")], { environment: null });
    expect(ofType(events, "environment.started")).toEqual([]);
    expect(lastEvent(events)).toMatchObject({ type: "run.completed" });
  });
});
