import { describe, expect, it } from "vitest";
import { gateAction, type GateRequest, type GateSettings } from "../../jobs/approval/gate";
import { noRememberedActions } from "../../jobs/approval/remembered";
import type { ApprovalAction, ApprovalMode, ApprovalRules } from "../../lib/approval";
import { approve, deny, scriptedAsk } from "./scriptedAsk";

const rules = (r: Partial<ApprovalRules>): ApprovalRules => ({ allow: [], ask: [], deny: [], ...r });
const settings = (mode: ApprovalMode, extra: Partial<GateSettings> = {}): GateSettings => ({ mode, remembered: noRememberedActions(), sandbox: "on", ...extra });

let n = 0;
function request(action: ApprovalAction | null, extra: Partial<GateRequest> = {}): GateRequest {
  n++;
  const input = action?.kind === "shell" ? { command: action.command } : action && "path" in action ? { path: action.path } : { q: 1 };
  return { callId: `call-${n}`, tool: action?.kind === "mcp" || action?.kind === "other" ? action.tool : "tool", input, action, ...extra };
}

/** allow, ask or deny, as the gate acts on it: ask is seen as a request to the person (who approves). */
async function outcome(action: ApprovalAction, s: GateSettings): Promise<"allow" | "ask" | "deny"> {
  const { ask, asked } = scriptedAsk(approve());
  const result = await gateAction(request(action), s, ask);
  if (asked.length) return "ask";
  return result.run ? "allow" : "deny";
}

describe("gateAction: one decision per mode", () => {
  const table: [string, ApprovalAction, ApprovalRules, Record<ApprovalMode, "allow" | "ask" | "deny">][] = [
    ["a safe command", { kind: "shell", command: "ls -la" }, rules({}), { auto: "allow", risky: "allow", all: "ask" }],
    ["a risky command", { kind: "shell", command: "git push origin main" }, rules({}), { auto: "allow", risky: "ask", all: "ask" }],
    ["a denied command", { kind: "shell", command: "mkfs /dev/sda" }, rules({}), { auto: "deny", risky: "deny", all: "deny" }],
    ["a command a rule denies", { kind: "shell", command: "npm publish" }, rules({ deny: ["npm publish*"] }), { auto: "deny", risky: "deny", all: "deny" }],
    ["a command a rule allows", { kind: "shell", command: "npm install" }, rules({ allow: ["npm install"] }), { auto: "allow", risky: "allow", all: "allow" }],
    ["a safe write", { kind: "write", path: "src/a.ts" }, rules({}), { auto: "allow", risky: "allow", all: "ask" }],
    ["a risky write", { kind: "write", path: ".github/workflows/ci.yml" }, rules({}), { auto: "allow", risky: "ask", all: "ask" }],
    ["a write into .git", { kind: "write", path: ".git/hooks/pre-commit" }, rules({}), { auto: "deny", risky: "deny", all: "deny" }],
    ["a read", { kind: "read", path: "README.md" }, rules({}), { auto: "allow", risky: "allow", all: "allow" }],
    ["an MCP tool", { kind: "mcp", tool: "mcp__github__create_issue" }, rules({}), { auto: "ask", risky: "ask", all: "ask" }],
    ["an MCP tool a rule allows", { kind: "mcp", tool: "mcp__github__create_issue" }, rules({ allow: ["mcp__github__*"] }), { auto: "allow", risky: "allow", all: "allow" }],
    ["an MCP tool another server's rule allows", { kind: "mcp", tool: "mcp__gitlab__create_issue" }, rules({ allow: ["mcp__github__*"] }), { auto: "ask", risky: "ask", all: "ask" }],
    ["an MCP tool a rule denies", { kind: "mcp", tool: "mcp__github__delete_repo" }, rules({ allow: ["mcp__github__*"], deny: ["mcp__github__delete_*"] }), { auto: "deny", risky: "deny", all: "deny" }],
    ["an MCP tool an ask rule catches", { kind: "mcp", tool: "mcp__docs__search" }, rules({ allow: ["mcp__docs__search"], ask: ["mcp__docs__*"] }), { auto: "ask", risky: "ask", all: "ask" }],
    ["another tool", { kind: "other", tool: "WebFetch" }, rules({}), { auto: "allow", risky: "ask", all: "ask" }],
    ["another tool a rule allows", { kind: "other", tool: "WebSearch" }, rules({ allow: ["WebSearch"] }), { auto: "allow", risky: "allow", all: "allow" }],
    ["another tool a rule denies", { kind: "other", tool: "WebFetch" }, rules({ deny: ["WebFetch"] }), { auto: "deny", risky: "deny", all: "deny" }],
    ["a command the agent did not show, no deny rules", { kind: "other", tool: "execute", unseenCommand: true }, rules({}), { auto: "allow", risky: "ask", all: "ask" }],
    // Deny rules cannot be checked against it: a person looks, even in auto.
    ["a command the agent did not show, under deny rules", { kind: "other", tool: "execute", unseenCommand: true }, rules({ deny: ["git push*"] }), { auto: "ask", risky: "ask", all: "ask" }],
  ];
  for (const [what, action, r, expected] of table) {
    it(`${what}: ${JSON.stringify(expected)}`, async () => {
      for (const mode of ["auto", "risky", "all"] as const) {
        expect(await outcome(action, settings(mode, { rules: r })), mode).toBe(expected[mode]);
      }
    });
  }

  it("a shell rule does not reach a tool by accident, nor a tool rule a command", async () => {
    const r = rules({ deny: ["git push*"], allow: ["mcp__github__*"] });
    expect(await outcome({ kind: "mcp", tool: "mcp__gitpush__x" }, settings("auto", { rules: r }))).toBe("ask");
    expect(await outcome({ kind: "shell", command: "git status" }, settings("risky", { rules: r }))).toBe("allow");
  });

  it("runs a call with nothing to judge without asking", async () => {
    const { ask, asked } = scriptedAsk();
    expect(await gateAction(request(null), settings("all"), ask)).toEqual({ run: true, input: { q: 1 } });
    expect(asked).toEqual([]);
  });
});

describe("gateAction: the approval card and its answers", () => {
  it("asks with a request id derived from the call, the tool, its input and the reasons", async () => {
    const { ask, asked } = scriptedAsk(approve());
    const req = { callId: "toolu_9", tool: "Bash", input: { command: "rm -rf build", description: "clean" }, action: { kind: "shell" as const, command: "rm -rf build" } };
    expect(await gateAction(req, settings("risky"), ask)).toEqual({ run: true, input: req.input });
    expect(asked).toEqual([{ requestId: "approve-toolu_9", kind: "approval", tool: "Bash", input: req.input, reasons: ["`rm -rf build` deletes files and folders recursively"] }]);
  });

  it("tells the agent a denial with the person's note, and that nothing ran", async () => {
    const { ask } = scriptedAsk(deny("use the staging remote instead"));
    const result = await gateAction(request({ kind: "shell", command: "git push origin main" }), settings("risky"), ask);
    expect(result).toEqual({ run: false, output: expect.stringContaining("use the staging remote instead") });
    expect(!result.run && result.output).toMatch(/Nothing ran/);
  });

  it("denies when the request times out", async () => {
    const { ask } = scriptedAsk({ timedOut: true, decision: "deny", reason: "no answer within 60s" });
    expect(await gateAction(request({ kind: "mcp", tool: "mcp__x__y" }), settings("auto"), ask)).toEqual({ run: false, output: expect.stringContaining("no answer within 60s") });
  });

  it("passes an approval's note to the agent", async () => {
    const { ask } = scriptedAsk(approve({ note: "only this once" }));
    expect(await gateAction(request({ kind: "other", tool: "WebFetch" }), settings("risky"), ask)).toMatchObject({ run: true, notice: "Note from the reviewer: only this once" });
  });

  it("refuses a question's answer to an approval", async () => {
    const { ask } = scriptedAsk({ answer: "yes", by: "owner" });
    await expect(gateAction(request({ kind: "other", tool: "WebFetch" }), settings("risky"), ask)).rejects.toThrow(/question's answer/);
  });
});

describe("gateAction: an edited input is judged again", () => {
  const shellReparse: GateRequest["reparse"] = (edited) =>
    typeof edited === "object" && edited !== null && "command" in edited && typeof edited.command === "string"
      ? { ok: true, action: { kind: "shell", command: edited.command } }
      : { ok: false, error: "command is required" };

  it("runs the reviewer's edit and tells the agent what ran instead", async () => {
    const { ask, asked } = scriptedAsk(approve({ editedInput: { command: "rm -rf build/cache" } }));
    const result = await gateAction(request({ kind: "shell", command: "rm -rf build" }, { reparse: shellReparse }), settings("risky"), ask);
    expect(result).toEqual({ run: true, input: { command: "rm -rf build/cache" }, notice: expect.stringContaining("what ran instead was: rm -rf build/cache") });
    expect(asked).toHaveLength(1);
  });

  it("still blocks an edit a deny rule forbids", async () => {
    const { ask } = scriptedAsk(approve({ editedInput: { command: "git push --force origin main" } }));
    const s = settings("all", { rules: rules({ deny: ["git push*"] }) });
    const result = await gateAction(request({ kind: "shell", command: "git status" }, { reparse: shellReparse }), s, ask);
    expect(result).toEqual({ run: false, output: expect.stringContaining("denied by the rule `git push*`") });
  });

  it("still blocks an edit the classifier denies", async () => {
    const { ask } = scriptedAsk(approve({ editedInput: { path: ".git/config" } }));
    const reparse: GateRequest["reparse"] = (e) => ({ ok: true, action: { kind: "write", path: (e as { path: string }).path } });
    expect(await gateAction(request({ kind: "write", path: ".github/x.yml" }, { reparse }), settings("risky"), ask)).toMatchObject({ run: false });
  });

  it("refuses an edit that is not valid for the tool", async () => {
    const { ask } = scriptedAsk(approve({ editedInput: { cmd: "ls" } }));
    const result = await gateAction(request({ kind: "shell", command: "rm -rf build" }, { reparse: shellReparse }), settings("risky"), ask);
    expect(result).toEqual({ run: false, output: expect.stringMatching(/not valid for tool: command is required\. Nothing ran/) });
  });

  it("refuses an edit of a command or a write it cannot judge, but takes one of a tool judged by name", async () => {
    const shell = scriptedAsk(approve({ editedInput: { command: "git push" } }));
    expect(await gateAction(request({ kind: "shell", command: "rm -rf build" }), settings("risky"), shell.ask)).toMatchObject({ run: false });
    const mcp = scriptedAsk(approve({ editedInput: { title: "edited" } }));
    expect(await gateAction(request({ kind: "mcp", tool: "mcp__github__create_issue" }), settings("risky"), mcp.ask)).toMatchObject({ run: true, input: { title: "edited" } });
  });
});

describe("gateAction: remember for this run", () => {
  it("remembers the exact command line, not the program", async () => {
    const s = settings("risky");
    const { ask, asked } = scriptedAsk(approve({ remember: true }), approve());
    await gateAction(request({ kind: "shell", command: "npm install " }), s, ask);
    expect(s.remembered.shell).toEqual(["npm install"]);
    expect(await gateAction(request({ kind: "shell", command: "npm install" }), s, ask)).toMatchObject({ run: true });
    expect(asked).toHaveLength(1);
    await gateAction(request({ kind: "shell", command: "npm install left-pad" }), s, ask);
    expect(asked).toHaveLength(2);
  });

  it("remembers a write by its normalized path", async () => {
    const s = settings("risky");
    const { ask, asked } = scriptedAsk(approve({ remember: true }), approve());
    await gateAction(request({ kind: "write", path: ".github/../.github/workflows/ci.yml" }), s, ask);
    expect(s.remembered.write).toEqual([".github/workflows/ci.yml"]);
    await gateAction(request({ kind: "write", path: ".github/workflows/ci.yml" }), s, ask);
    expect(asked).toHaveLength(1);
    await gateAction(request({ kind: "write", path: ".github/workflows/release.yml" }), s, ask);
    expect(asked).toHaveLength(2);
  });

  it("remembers an MCP or other tool by its name", async () => {
    const s = settings("risky");
    const { ask, asked } = scriptedAsk(approve({ remember: true }), approve());
    await gateAction(request({ kind: "mcp", tool: "mcp__github__create_issue" }), s, ask);
    expect(s.remembered.tools).toEqual(["mcp__github__create_issue"]);
    await gateAction(request({ kind: "mcp", tool: "mcp__github__create_issue" }), s, ask);
    expect(asked).toHaveLength(1);
    await gateAction(request({ kind: "mcp", tool: "mcp__github__close_issue" }), s, ask);
    expect(asked).toHaveLength(2);
  });

  it("remembers what ran after an edit, and never lifts a deny", async () => {
    const s = settings("risky", { rules: rules({ deny: ["mcp__github__delete_*"] }) });
    s.remembered.tools.push("mcp__github__delete_repo");
    const { ask } = scriptedAsk();
    expect(await gateAction(request({ kind: "mcp", tool: "mcp__github__delete_repo" }), s, ask)).toMatchObject({ run: false });

    const edited = scriptedAsk(approve({ remember: true, editedInput: { command: "rm -rf build/cache" } }));
    const reparse: GateRequest["reparse"] = (e) => ({ ok: true, action: { kind: "shell", command: (e as { command: string }).command } });
    await gateAction(request({ kind: "shell", command: "rm -rf build" }, { reparse }), s, edited.ask);
    expect(s.remembered.shell).toEqual(["rm -rf build/cache"]);
  });
});
