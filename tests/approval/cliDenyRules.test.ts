import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createCliExecutor } from "../../jobs/executors/cli";
import type { ExecutorContext } from "../../jobs/executors/types";
import { silentLogger } from "../../jobs/logger";
import type { ApprovalRules } from "../../lib/approval";
import type { EventBodyInput } from "../../lib/events";
import { runJobOptions } from "../../lib/queue";
import { withInProcessWorker } from "../support/inProcessWorker";
import { hasEnded, makeRunPayload, waitForEvents } from "../jobs/helpers";

const rules = (deny: string[]): ApprovalRules => ({ allow: [], ask: [], deny });

let workspace: string;
beforeEach(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-cli-deny-"));
  await fs.mkdir(path.join(workspace, "build"));
  await fs.writeFile(path.join(workspace, "build", "keep.txt"), "kept\n");
  await fs.writeFile(path.join(workspace, "notes.txt"), "first line\n");
});

function context(command: string, approvalRules?: ApprovalRules) {
  const events: EventBodyInput[] = [];
  const ctx: ExecutorContext = {
    runId: "r1",
    payload: makeRunPayload("/unused", { command, approvalRules }),
    workspace,
    sandbox: { workspace, readOnlyPaths: [], networkHosts: [] },
    emit: async (e) => {
      events.push(e);
    },
    signal: new AbortController().signal,
    secrets: [],
    logger: silentLogger,
    requestInput: () => Promise.reject(new Error("the cli executor must not ask for input")),
  };
  return { ctx, events };
}

const buildExists = () => fs.access(path.join(workspace, "build", "keep.txt")).then(() => true, () => false);
const cli = createCliExecutor();

describe("the cli executor keeps the repository's deny rules", () => {
  it("really runs what sed's `e` command names when no rule forbids it (the control)", async () => {
    const { ctx } = context("sed -n '1e rm -rf build' notes.txt");
    expect(await cli.run(ctx)).toEqual({ ok: true });
    expect(await buildExists()).toBe(false);
  });

  it.each([
    ["rm -rf build", "rm -rf build"],
    ["sed -n '1e rm -rf build' notes.txt", "rm -rf build"],
    ["bash -c 'cd . && rm -rf build'", "rm -rf build"],
    ["find . -maxdepth 1 -name build -exec rm -rf {} +", "rm -rf {}"],
    ["timeout 5 rm -rf build", "rm -rf build"],
    ["echo build | xargs rm -rf", "rm -rf"],
    ["env -S 'rm -rf build'", "rm -rf build"],
    ["awk 'BEGIN { system(\"rm -rf build\") }'", "rm -rf build"],
    ["ls; /bin/rm -rf build", "/bin/rm -rf build"],
  ])("refuses %s, naming the rule, and runs nothing", async (command, part) => {
    const { ctx, events } = context(command, rules(["git push *", "rm *"]));
    const result = await cli.run(ctx);
    expect(result).toEqual({ ok: false, error: `the command was refused: \`${part}\` is denied by the rule \`rm *\`; nothing ran` });
    expect(events).toEqual([]);
    expect(await buildExists()).toBe(true);
  });

  it("refuses code it cannot check against the deny rules, and runs it when there are none", async () => {
    const command = `python3 -c 'import shutil; shutil.rmtree("build")'`;
    const refused = context(command, rules(["rm *"]));
    expect(await cli.run(refused.ctx)).toEqual({
      ok: false,
      error: "the command was refused: the repository's deny rules cannot be checked: `python3 -c 'import shutil; shutil.rmtree(\"build\")'` runs inline Python code; nothing ran",
    });
    expect(refused.events).toEqual([]);
    expect(await buildExists()).toBe(true);
    const { ctx } = context(command);
    expect(await cli.run(ctx)).toEqual({ ok: true });
    expect(await buildExists()).toBe(false);
  });

  it("runs a command no deny rule matches", async () => {
    const { ctx } = context("ls build > listing.txt", rules(["rm *"]));
    expect(await cli.run(ctx)).toEqual({ ok: true });
    expect(await fs.readFile(path.join(workspace, "listing.txt"), "utf8")).toBe("keep.txt\n");
  });
});

describe("a cli run through a real worker", () => {
  const pipeline = withInProcessWorker("cli-deny-test");

  it("fails with the rule named and no tool step", async () => {
    const payload = makeRunPayload(pipeline.repo.url, { command: "sed -n '1e rm -rf .' README.md", approvalRules: rules(["rm *"]) });
    await pipeline.queue.add("run", payload, runJobOptions(payload.runId, "normal"));
    const events = await waitForEvents(pipeline.log, payload.runId, hasEnded);
    expect(events.at(-1)).toMatchObject({ type: "run.failed", error: "the command was refused: `rm -rf .` is denied by the rule `rm *`; nothing ran" });
    expect(events.some((e) => e.type === "tool.started")).toBe(false);
  });
});
