import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StopReason } from "../../jobs/cancellation";
import { createCliExecutor } from "../../jobs/executors/cli";
import type { ExecutorContext } from "../../jobs/executors/types";
import { silentLogger } from "../../jobs/logger";
import type { EventBodyInput } from "../../lib/events";
import { hostProcessesWith, sleepProcess, uniqueSleep } from "../sandbox/support/processes";
import { eventually, makeRunPayload } from "./helpers";

let workspace: string;
beforeAll(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-cli-"));
});
afterAll(async () => {
  await fs.rm(workspace, { recursive: true, force: true });
});

function context(command: string, options: { signal?: AbortSignal; secrets?: string[] } = {}) {
  const events: EventBodyInput[] = [];
  const ctx: ExecutorContext = {
    runId: "r1",
    payload: makeRunPayload("/unused", { command }),
    workspace,
    sandbox: { workspace, readOnlyPaths: [], networkHosts: [] },
    emit: async (e) => {
      events.push(e);
    },
    signal: options.signal ?? new AbortController().signal,
    secrets: options.secrets ?? [],
    logger: silentLogger,
    // A shell command is the person's own instruction: the cli executor never asks.
    requestInput: () => Promise.reject(new Error("the cli executor must not ask for input")),
  };
  return { ctx, events };
}

function streamed(events: EventBodyInput[]) {
  return events.flatMap((e) => (e.type === "log" && e.stream ? [{ stream: e.stream, message: e.message }] : []));
}

const cli = createCliExecutor();

describe("cli executor", () => {
  it("streams stdout and stderr in order and reports the call", async () => {
    const { ctx, events } = context("echo out1; sleep 0.3; echo err1 >&2; sleep 0.3; echo out2; pwd");
    const result = await cli.run(ctx);
    expect(result).toEqual({ ok: true });
    expect(events[0]).toMatchObject({ type: "tool.started", tool: "shell", input: { command: ctx.payload.command } });
    const callId = (events[0] as { callId: string }).callId;
    expect(streamed(events)).toEqual([
      { stream: "stdout", message: "out1\n" },
      { stream: "stderr", message: "err1\n" },
      { stream: "stdout", message: `out2\n${workspace}\n` },
    ]);
    expect(events.filter((e) => e.type === "log").every((e) => e.type === "log" && e.callId === callId)).toBe(true);
    const finished = events[events.length - 1]!;
    expect(finished).toMatchObject({ type: "tool.finished", callId, ok: true, exitCode: 0, truncated: false });
    expect(finished.type === "tool.finished" && finished.output).toBe(`out1\nerr1\nout2\n${workspace}\n`);
  });

  it("fails with the exit code", async () => {
    const { ctx, events } = context("echo failing; exit 3");
    expect(await cli.run(ctx)).toEqual({ ok: false, error: "command exited with code 3" });
    expect(events[events.length - 1]).toMatchObject({ type: "tool.finished", ok: false, exitCode: 3, output: "failing\n" });
  });

  // Inside the sandbox `$!` is a PID of its own namespace: the host finds the process by a marker.
  it("on timeout kills the whole sandbox, a backgrounded grandchild included", async () => {
    const sleep = uniqueSleep();
    const controller = new AbortController();
    const { ctx } = context(`${sleep.command} & sleep 100`, { signal: controller.signal });
    const running = cli.run(ctx);
    await eventually(() => sleepProcess(sleep.marker));
    controller.abort({ kind: "timeout", seconds: 1 } satisfies StopReason);
    const result = await running;
    expect(result.ok).toBe(false);
    await eventually(async () => ((await hostProcessesWith(sleep.marker)).length === 0 ? true : undefined), 3_000);
  });

  it("does not leave background processes behind when the command ends by itself", async () => {
    const sleep = uniqueSleep();
    const { ctx } = context(`${sleep.command} > /dev/null 2>&1 & sleep 0.5`);
    const running = cli.run(ctx);
    await eventually(() => sleepProcess(sleep.marker));
    expect(await running).toEqual({ ok: true });
    await eventually(async () => ((await hostProcessesWith(sleep.marker)).length === 0 ? true : undefined), 3_000);
  });

  it("stops within 2 s of a cancel, even a command that ignores SIGTERM", async () => {
    const controller = new AbortController();
    const { ctx, events } = context("trap '' TERM; echo started; while true; do sleep 0.1; done", {
      signal: controller.signal,
    });
    const running = cli.run(ctx);
    await eventually(async () => (streamed(events).length > 0 ? true : undefined));
    const requested = Date.now();
    controller.abort({ kind: "cancel", by: "someone" } satisfies StopReason);
    await running;
    expect(Date.now() - requested).toBeLessThan(2_000);
  });

  it("masks secrets in everything it emits, also when a secret is split between two writes", async () => {
    const secret = "hunter2-very-secret-value";
    const { ctx, events } = context(
      `printf 'token: hunter2-very'; sleep 0.3; printf -- '-secret-value done\\n'; echo ${secret} >&2`,
      { secrets: [secret] },
    );
    await cli.run(ctx);
    const text = streamed(events).map((e) => e.message).join("");
    expect(text).toBe("token: *** done\n***\n");
    // tool.started carries the command, which contains the secret: the run's emit wrapper
    // masks that; everything the executor masks itself (output) must be clean here.
    expect(JSON.stringify(events.filter((e) => e.type !== "tool.started"))).not.toContain("hunter2");
  });

  it("gives the command a minimal environment without credentials", async () => {
    process.env.AGENTDESK_TEST_REPO_CRED = "repo-credential-value";
    process.env.ANTHROPIC_API_KEY = "sk-ant-test-value";
    try {
      const { ctx, events } = context("env");
      await cli.run(ctx);
      const env = Object.fromEntries(
        streamed(events)
          .map((e) => e.message)
          .join("")
          .trim()
          .split("\n")
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      );
      expect(env.AGENTDESK_TEST_REPO_CRED).toBeUndefined();
      expect(env.ANTHROPIC_API_KEY).toBeUndefined();
      expect(env.REDIS_URL).toBeUndefined();
      expect(env.REDIS_PREFIX).toBeUndefined();
      expect(env.DATA_DIR).toBeUndefined();
      expect(env).toMatchObject({ TERM: "dumb", CI: "1" });
      expect(env.HOME).not.toBe(os.homedir());
      expect(Object.keys(env).filter((k) => !["PWD", "SHLVL", "_"].includes(k)).sort()).toEqual(
        ["CI", "HOME", "LANG", "PATH", "TERM", "TZ"],
      );
    } finally {
      delete process.env.AGENTDESK_TEST_REPO_CRED;
      delete process.env.ANTHROPIC_API_KEY;
    }
  });
});
