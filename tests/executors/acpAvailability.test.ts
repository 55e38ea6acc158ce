import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acpAgentAvailability } from "@/jobs/executors/acp";
import { APP_NODE_MODULES, resolveAgentCommand } from "@/jobs/executors/acp/agentCommand";
import { acpAgentSpec } from "@/lib/contracts/executorSpecs";

const on = { mode: "on" as const, dataDir: "/nonexistent-data" };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "acp-avail-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function script(name: string, mode: number): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, "#!/bin/sh\nexit 0\n", { mode });
  return file;
}

describe("acpAgentAvailability", () => {
  it("finds the bundled claude-agent-acp by bare name in AgentDesk's node_modules/.bin", () => {
    const resolved = resolveAgentCommand("claude-agent-acp", on);
    expect(resolved).toEqual({ program: path.join(APP_NODE_MODULES, ".bin", "claude-agent-acp"), readOnlyPaths: [APP_NODE_MODULES] });
    expect(acpAgentAvailability(acpAgentSpec.parse({ name: "claude-acp", command: "claude-agent-acp" }), {}, on)).toBeNull();
  });

  it("finds a bare name on the sandbox's PATH, not the job process's", () => {
    expect(resolveAgentCommand("bash", on)).toMatchObject({ program: expect.stringMatching(/^\/(usr\/)?bin\/bash$/) });
    // A program only on the job process's PATH is not visible inside the sandbox.
    const onlyHere = script("only-on-host-path", 0o755);
    expect(resolveAgentCommand(path.basename(onlyHere), on, "/usr/bin")).toMatchObject({ error: expect.stringContaining("is not installed") });
  });

  it("binds an absolute program's folder read-only, and refuses a missing or non-executable one", () => {
    const goose = script("goose", 0o755);
    expect(resolveAgentCommand(goose, on)).toEqual({ program: goose, readOnlyPaths: [APP_NODE_MODULES, dir] });
    expect(acpAgentAvailability(acpAgentSpec.parse({ name: "goose", command: script("plain", 0o644) }), {}, on)).toMatch(/is not an executable file/);
    expect(acpAgentAvailability(acpAgentSpec.parse({ name: "goose", command: path.join(dir, "missing") }), {}, on)).toMatch(/is not an executable file/);
  });

  it("refuses a relative path and a program in a folder that holds DATA_DIR", () => {
    expect(resolveAgentCommand("./goose", on)).toMatchObject({ error: expect.stringContaining("bare program name or an absolute path") });
    const goose = script("goose2", 0o755);
    expect(resolveAgentCommand(goose, { mode: "on", dataDir: path.join(dir, "data") })).toMatchObject({ error: expect.stringContaining("DATA_DIR") });
  });

  it("names the variables the agent is to receive that the job process lacks", () => {
    const spec = acpAgentSpec.parse({ name: "gemini", command: "bash", envNames: ["GOOGLE_API_KEY", "OTHER", "SET"] });
    expect(acpAgentAvailability(spec, { SET: "x" }, on)).toBe("GOOGLE_API_KEY, OTHER are not set on the job process");
    expect(acpAgentAvailability(spec, { SET: "x", OTHER: "y" }, on)).toBe("GOOGLE_API_KEY is not set on the job process");
    expect(acpAgentAvailability(spec, { SET: "x", OTHER: "y", GOOGLE_API_KEY: "k" }, on)).toBeNull();
  });

  it("never offers an agent that is to receive AgentDesk's own secrets", () => {
    const spec = acpAgentSpec.parse({ name: "leaky", command: "bash", envNames: ["DATABASE_URL", "BETTER_AUTH_SECRET"] });
    expect(acpAgentAvailability(spec, { DATABASE_URL: "postgres://u:p@h/db", BETTER_AUTH_SECRET: "s" }, on)).toBe(
      "DATABASE_URL, BETTER_AUTH_SECRET may not be given to an agent: AgentDesk's own secrets",
    );
  });
});
