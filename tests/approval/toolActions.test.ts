import type { ToolCallUpdate } from "@agentclientprotocol/sdk";
import { buildClaudePermissionPresentation } from "@agentclientprotocol/claude-agent-acp/dist/permissions/presentation.js";
import { describe, expect, it } from "vitest";
import { gateToolCall } from "../../jobs/agent/approvalGate";
import { gateAction, type GateSettings } from "../../jobs/approval/gate";
import { noRememberedActions } from "../../jobs/approval/remembered";
import {
  acpAction,
  acpGateRequest,
  acpTerminalAction,
  claudeCodeAction,
  claudeCodeGateRequest,
  mcpToolAction,
  shellLine,
  workspacePath,
} from "../../jobs/approval/toolActions";
import { approvalPolicy, type ApprovalMode, type ApprovalRules } from "../../lib/approval";
import { approve, scriptedAsk } from "./scriptedAsk";

const ws = "/work/runs/r1/ws";
const settings = (mode: ApprovalMode, rules?: ApprovalRules): GateSettings => ({ mode, rules, remembered: noRememberedActions(), sandbox: "on" });

describe("workspacePath", () => {
  it("makes paths inside the workspace relative and leaves the others outside", () => {
    expect(workspacePath(`${ws}/src/a.ts`, ws)).toBe("src/a.ts");
    expect(workspacePath(ws, ws)).toBe(".");
    expect(workspacePath(`${ws}/`, ws)).toBe(".");
    expect(workspacePath("src/a.ts", ws)).toBe("src/a.ts");
    expect(workspacePath("/etc/passwd", ws)).toBe("/etc/passwd");
    expect(workspacePath(`${ws}2/x`, ws)).toBe(`${ws}2/x`);
    expect(workspacePath(`${ws}/../../x`, ws)).toBe(`${ws}/../../x`);
    expect(workspacePath(`${ws}/a/../.git/config`, ws)).toBe(".git/config");
  });
});

describe("claudeCodeAction", () => {
  it("maps Claude Code's tools by their input fields", () => {
    expect(claudeCodeAction("Bash", { command: "npm test", description: "run tests" }, ws)).toEqual({ kind: "shell", command: "npm test" });
    expect(claudeCodeAction("Monitor", { description: "tail", timeout_ms: 1000, command: "tail -f log" }, ws)).toEqual({ kind: "shell", command: "tail -f log" });
    expect(claudeCodeAction("Monitor", { description: "ws", timeout_ms: 1000, ws: { url: "wss://x" } }, ws)).toEqual({ kind: "other", tool: "Monitor" });
    expect(claudeCodeAction("Write", { file_path: `${ws}/src/a.ts`, content: "" }, ws)).toEqual({ kind: "write", path: "src/a.ts" });
    expect(claudeCodeAction("Edit", { file_path: `${ws}/package.json`, old_string: "a", new_string: "b" }, ws)).toEqual({ kind: "write", path: "package.json" });
    expect(claudeCodeAction("MultiEdit", { file_path: "src/b.ts", edits: [] }, ws)).toEqual({ kind: "write", path: "src/b.ts" });
    expect(claudeCodeAction("NotebookEdit", { notebook_path: `${ws}/n.ipynb`, new_source: "" }, ws)).toEqual({ kind: "write", path: "n.ipynb" });
    expect(claudeCodeAction("Read", { file_path: `${ws}/README.md` }, ws)).toEqual({ kind: "read", path: "README.md" });
    expect(claudeCodeAction("Grep", { pattern: "x" }, ws)).toEqual({ kind: "read", path: "." });
    expect(claudeCodeAction("Glob", { pattern: "*.ts", path: `${ws}/src` }, ws)).toEqual({ kind: "read", path: "src" });
    expect(claudeCodeAction("LS", { path: ws }, ws)).toEqual({ kind: "read", path: "." });
    for (const tool of ["TodoWrite", "ExitPlanMode", "AskUserQuestion", "BashOutput", "KillShell", "TaskStop"]) {
      expect(claudeCodeAction(tool, {}, ws), tool).toBeNull();
    }
    expect(claudeCodeAction("mcp__github__create_issue", { title: "x" }, ws)).toEqual({ kind: "mcp", tool: "mcp__github__create_issue" });
    for (const tool of ["WebFetch", "WebSearch", "Agent", "Task", "Skill", "CronCreate"]) {
      expect(claudeCodeAction(tool, {}, ws), tool).toEqual({ kind: "other", tool });
    }
  });

  it("judges an input that is not valid for its tool by the tool's name", () => {
    expect(claudeCodeAction("Bash", { cmd: "rm -rf /" }, ws)).toEqual({ kind: "other", tool: "Bash" });
    expect(claudeCodeAction("Write", { path: "x" }, ws)).toEqual({ kind: "other", tool: "Write" });
  });

  it("judges a write outside the workspace as the write classifier does", async () => {
    for (const file of ["/etc/profile.d/x.sh", `${ws}/../other-run/ws/a.ts`, "/home/agent/.bashrc"]) {
      const action = claudeCodeAction("Write", { file_path: file, content: "x" }, ws)!;
      expect(approvalPolicy({ mode: "risky", action })).toEqual({ decision: "ask", reasons: [`\`${file}\` is outside the workspace`] });
      const { ask, asked } = scriptedAsk(approve());
      await gateAction(claudeCodeGateRequest("toolu_1", "Write", { file_path: file, content: "x" }, ws), settings("risky"), ask);
      expect(asked[0]?.reasons).toEqual([`\`${file}\` is outside the workspace`]);
    }
    // Inside the workspace by an absolute path, `.git/` is still `.git/`.
    const { ask } = scriptedAsk();
    const hook = await gateAction(claudeCodeGateRequest("toolu_2", "Edit", { file_path: `${ws}/.git/hooks/pre-commit`, old_string: "", new_string: "x" }, ws), settings("auto"), ask);
    expect(hook).toEqual({ run: false, output: expect.stringContaining("inside .git/") });
  });

  it("checks a reviewer's edit as the same Claude Code tool", async () => {
    const rules: ApprovalRules = { allow: [], ask: [], deny: ["git push*"] };
    const edited = scriptedAsk(approve({ editedInput: { command: "git push origin HEAD" } }));
    expect(await gateAction(claudeCodeGateRequest("toolu_3", "Bash", { command: "rm -rf dist" }, ws), settings("risky", rules), edited.ask)).toMatchObject({ run: false });
    const invalid = scriptedAsk(approve({ editedInput: { file_path: 3 } }));
    expect(await gateAction(claudeCodeGateRequest("toolu_4", "Write", { file_path: `${ws}/.github/ci.yml`, content: "" }, ws), settings("risky"), invalid.ask)).toEqual({
      run: false,
      output: expect.stringContaining("not valid for Write"),
    });
  });
});

/** Permission requests exactly as claude-agent-acp 0.101.0 sends them (permissions/presentation.js, v1 client). */
const claudeAgentAcp = {
  bash: {
    toolCallId: "toolu_01",
    name: "Bash",
    status: "pending",
    rawInput: { command: "git push origin HEAD", description: "Push the branch" },
    title: "git push origin HEAD",
    kind: "execute",
    content: [{ type: "content", content: { type: "text", text: "Push the branch" } }],
  },
  edit: {
    toolCallId: "toolu_02",
    name: "Edit",
    status: "pending",
    rawInput: { file_path: `${ws}/src/app.ts`, old_string: "a", new_string: "b" },
    title: "Edit src/app.ts",
    kind: "edit",
    content: [{ type: "diff", path: `${ws}/src/app.ts`, oldText: "a", newText: "b" }],
    locations: [{ path: `${ws}/src/app.ts` }],
  },
  writeWorkflow: {
    toolCallId: "toolu_03",
    name: "Write",
    status: "pending",
    rawInput: { file_path: `${ws}/.github/workflows/ci.yml`, content: "on: push\n" },
    title: "Write .github/workflows/ci.yml",
    kind: "edit",
    content: [{ type: "diff", path: `${ws}/.github/workflows/ci.yml`, oldText: null, newText: "on: push\n" }],
    locations: [{ path: `${ws}/.github/workflows/ci.yml` }],
  },
  read: {
    toolCallId: "toolu_04",
    name: "Read",
    status: "pending",
    rawInput: { file_path: `${ws}/README.md` },
    title: "Read README.md",
    kind: "read",
    content: [],
    locations: [{ path: `${ws}/README.md`, line: 1 }],
  },
  webFetch: {
    toolCallId: "toolu_05",
    name: "WebFetch",
    status: "pending",
    rawInput: { url: "https://example.com", prompt: "summarize" },
    title: "Fetch https://example.com",
    kind: "fetch",
    content: [{ type: "content", content: { type: "text", text: "summarize" } }],
  },
  mcp: { toolCallId: "toolu_06", name: "mcp__github__create_issue", status: "pending", rawInput: { title: "x" }, title: "mcp__github__create_issue", kind: "other", content: [] },
  agent: {
    toolCallId: "toolu_07",
    name: "Agent",
    status: "pending",
    rawInput: { description: "Explore", prompt: "look" },
    title: "Explore",
    kind: "think",
    content: [{ type: "content", content: { type: "text", text: "look" } }],
  },
} satisfies Record<string, ToolCallUpdate & { name: string; rawInput: Record<string, unknown> }>;

describe("acpAction", () => {
  it("maps claude-agent-acp's permission requests", () => {
    expect(acpAction(claudeAgentAcp.bash, ws)).toEqual({ kind: "shell", command: "git push origin HEAD" });
    expect(acpAction(claudeAgentAcp.edit, ws)).toEqual({ kind: "write", path: "src/app.ts" });
    expect(acpAction(claudeAgentAcp.writeWorkflow, ws)).toEqual({ kind: "write", path: ".github/workflows/ci.yml" });
    expect(acpAction(claudeAgentAcp.read, ws)).toEqual({ kind: "read", path: "README.md" });
    expect(acpAction(claudeAgentAcp.webFetch, ws)).toEqual({ kind: "other", tool: "WebFetch" });
    expect(acpAction(claudeAgentAcp.mcp, ws)).toEqual({ kind: "mcp", tool: "mcp__github__create_issue" });
    expect(acpAction(claudeAgentAcp.agent, ws)).toBeNull();
  });

  it("maps what the installed claude-agent-acp builds the same as the copies above", () => {
    const built = (toolName: string, input: Record<string, unknown>) => buildClaudePermissionPresentation({ toolName, input, toolUseID: "toolu_x", cwd: ws }).toolCall;
    for (const call of Object.values(claudeAgentAcp)) {
      const fresh = built(call.name, call.rawInput);
      expect(fresh).toMatchObject({ name: call.name, kind: call.kind, title: call.title, rawInput: call.rawInput });
      expect(acpAction(fresh, ws)).toEqual(acpAction(call, ws));
    }
  });

  it("maps other agents' calls by kind, with what they give", () => {
    expect(acpAction({ kind: "execute", title: "Run npm test", rawInput: { command: ["bash", "-lc", "npm test"] } }, ws)).toEqual({ kind: "shell", command: "bash -lc 'npm test'" });
    expect(acpAction({ kind: "execute", title: "ls -la" }, ws)).toEqual({ kind: "shell", command: "ls -la" });
    expect(acpAction({ kind: "execute", name: "shell" }, ws)).toEqual({ kind: "other", tool: "shell", unseenCommand: true });
    expect(acpAction({ kind: "execute" }, ws)).toEqual({ kind: "other", tool: "execute", unseenCommand: true });
    expect(acpAction({ kind: "delete", title: "rm", rawInput: { path: "src/old.ts" } }, ws)).toEqual({ kind: "write", path: "src/old.ts" });
    expect(acpAction({ kind: "edit", title: "edit" }, ws)).toEqual({ kind: "other", tool: "edit" });
    // A move writes both ends: the more severe is judged.
    const move = acpAction({ kind: "move", title: "mv", locations: [{ path: `${ws}/src/a.ts` }, { path: `${ws}/.git/hooks/post-checkout` }] }, ws);
    expect(move).toEqual({ kind: "write", path: ".git/hooks/post-checkout" });
    expect(acpAction({ kind: "search", title: "grep x", locations: [{ path: `${ws}/lib` }] }, ws)).toEqual({ kind: "read", path: "lib" });
    expect(acpAction({ kind: "switch_mode", title: "Approve plan" }, ws)).toBeNull();
    expect(acpAction({ kind: "fetch", title: "Fetch https://x" }, ws)).toEqual({ kind: "other", tool: "fetch" });
    expect(acpAction({ kind: "other", title: "mcp__docs__search" }, ws)).toEqual({ kind: "mcp", tool: "mcp__docs__search" });
    expect(acpAction({ title: "Something" }, ws)).toEqual({ kind: "other", tool: "Something" });
    expect(acpAction({ kind: "execute", rawInput: "not an object", title: "make" }, ws)).toEqual({ kind: "shell", command: "make" });
  });

  it("refuses a reviewer's edit, which an ACP agent cannot take", async () => {
    const { ask } = scriptedAsk(approve({ editedInput: { command: "git status" } }));
    expect(await gateAction(acpGateRequest(claudeAgentAcp.bash, ws), settings("risky"), ask)).toEqual({ run: false, output: expect.stringContaining("cannot take an edited input") });
  });
});

describe("acpTerminalAction", () => {
  it("judges the program and its arguments exactly, quoted", () => {
    expect(acpTerminalAction("git", ["commit", "-m", "it's done"])).toEqual({ kind: "shell", command: `git commit -m 'it'\\''s done'` });
    expect(acpTerminalAction("echo", ["$HOME", "*", "~", ""])).toEqual({ kind: "shell", command: "echo '$HOME' '*' '~' ''" });
    expect(acpTerminalAction("npm test")).toEqual({ kind: "shell", command: "npm test" });
    expect(shellLine(["a b", "c;d"])).toBe("'a b' 'c;d'");
  });

  it("keeps a quoted argument one word for the classifier (no injection by argument)", () => {
    const action = acpTerminalAction("echo", ["; mkfs /dev/sda"]);
    expect(approvalPolicy({ mode: "risky", action, sandbox: "on" }).decision).toBe("allow");
  });
});

describe("one repository deny rule holds in every executor", () => {
  const rules: ApprovalRules = { allow: [], ask: [], deny: ["git push*"] };
  const denied = { run: false, output: expect.stringContaining("denied by the rule `git push*`") };

  it("our agent's shell tool", async () => {
    const { ask, asked } = scriptedAsk();
    const call = { type: "tool_use" as const, id: "call-1", name: "shell", input: { command: "git push origin main" } };
    expect(await gateToolCall(call, settings("auto", rules), ask)).toEqual(denied);
    expect(asked).toEqual([]);
  });

  it("Claude Code's Bash", async () => {
    const { ask } = scriptedAsk();
    expect(await gateAction(claudeCodeGateRequest("toolu_1", "Bash", { command: "cd sub && git push --force" }, ws), settings("auto", rules), ask)).toEqual(denied);
  });

  it("an ACP agent's permission request and its terminal", async () => {
    const { ask } = scriptedAsk();
    expect(await gateAction(acpGateRequest(claudeAgentAcp.bash, ws), settings("auto", rules), ask)).toEqual(denied);
    for (const [command, args] of [["git", ["push", "origin", "main"]], ["sh", ["-c", "git push"]], ["git push -f", []]] as const) {
      expect(approvalPolicy({ mode: "auto", rules, action: acpTerminalAction(command, args) }).decision, `${command} ${args.join(" ")}`).toBe("deny");
    }
  });

  it("our agent's MCP tools, judged by name", async () => {
    const { ask, asked } = scriptedAsk(approve());
    const call = { type: "tool_use" as const, id: "call-2", name: "mcp__github__push_files", input: { branch: "main" } };
    expect(mcpToolAction(call.name)).toEqual({ kind: "mcp", tool: call.name });
    expect(await gateToolCall(call, settings("auto", rules), ask)).toEqual({ run: true, input: call.input });
    expect(asked[0]).toMatchObject({ requestId: "approve-call-2", tool: "mcp__github__push_files" });
    expect(await gateToolCall({ ...call, id: "call-3" }, settings("auto", { ...rules, deny: ["mcp__github__push_*"] }), ask)).toMatchObject({ run: false });
  });
});
