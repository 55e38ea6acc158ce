import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { RulesHelp } from "../../components/rules/RulesHelp";
import { approvalPolicy, type ApprovalRules } from "../../lib/approval";

/** The Rules page's help says rules cover every executor; its MCP examples must do what it says. */
describe("the Rules page's help", () => {
  const text = renderToStaticMarkup(createElement(RulesHelp)).replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#x27;/g, "'");

  it("states that rules cover every executor, with an MCP tool pattern", () => {
    expect(text).toMatch(/Rules cover every executor: our agent, Claude Code, ACP agents .* and MCP tools/);
    expect(text).toContain("mcp__<server>__<tool>");
    expect(text).toContain("allow mcp__github__*");
  });

  it("gives examples that the policy follows", () => {
    const rules: ApprovalRules = { allow: ["mcp__github__*"], ask: [], deny: ["mcp__github__delete_*", "git push *"] };
    const decide = (action: Parameters<typeof approvalPolicy>[0]["action"]) => approvalPolicy({ mode: "risky", rules, action }).decision;
    expect(decide({ kind: "mcp", tool: "mcp__github__create_issue" })).toBe("allow");
    expect(decide({ kind: "mcp", tool: "mcp__github__delete_repo" })).toBe("deny");
    expect(decide({ kind: "mcp", tool: "mcp__slack__post" })).toBe("ask");
    expect(decide({ kind: "shell", command: "git push" })).toBe("deny");
    expect(approvalPolicy({ mode: "auto", action: { kind: "other", tool: "WebFetch" } }).decision).toBe("allow");
    expect(approvalPolicy({ mode: "risky", action: { kind: "write", path: "package.json" } }).decision).toBe("ask");
  });
});
