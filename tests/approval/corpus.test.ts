import { describe, expect, it } from "vitest";
import { approvalPolicy, classifyCommand } from "@/lib/approval";
import { corpus } from "./corpus";

const unsafe = corpus.filter((c) => c.level !== "safe");

describe("shell command corpus", () => {
  it("has at least 150 distinct commands, with plenty of each class", () => {
    expect(new Set(corpus.map((c) => c.command)).size).toBe(corpus.length);
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    for (const level of ["safe", "risky", "denied"] as const) {
      expect(corpus.filter((c) => c.level === level).length).toBeGreaterThanOrEqual(30);
    }
  });

  it.each(corpus.map((c) => [JSON.stringify(c.command), c.level, c.command] as const))("%s is %s", (_shown, level, command) => {
    const result = classifyCommand(command);
    expect(result.level, result.reasons.join("\n")).toBe(level);
    // A verdict other than safe always says why, naming the part.
    if (level !== "safe") expect(result.reasons.length).toBeGreaterThan(0);
    else expect(result.reasons).toEqual([]);
  });

  it("lets no risky or denied command run unasked in the default mode", () => {
    const ranUnasked = unsafe.filter((c) => approvalPolicy({ mode: "risky", action: { kind: "shell", command: c.command } }).decision === "allow");
    expect(ranUnasked.map((c) => c.command)).toEqual([]);
  });

  it("lets no bypass through an allow rule for the innocent part", () => {
    const rules = { allow: ["npm test", "npm test *", "npm -v", "ls", "ls *", "a", "echo *", "git status", "pwd", "cat file"], ask: [], deny: [] };
    const ranUnasked = unsafe.filter(
      (c) => approvalPolicy({ mode: "risky", rules, action: { kind: "shell", command: c.command } }).decision === "allow",
    );
    expect(ranUnasked.map((c) => c.command)).toEqual([]);
  });

  it("blocks every denied command even in auto mode", () => {
    for (const c of corpus.filter((x) => x.level === "denied")) {
      expect(approvalPolicy({ mode: "auto", action: { kind: "shell", command: c.command } }).decision, c.command).toBe("deny");
    }
  });

  it("runs every safe command without asking in the default mode", () => {
    for (const c of corpus.filter((x) => x.level === "safe")) {
      expect(approvalPolicy({ mode: "risky", action: { kind: "shell", command: c.command } }), c.command).toEqual({ decision: "allow", reasons: [] });
    }
  });
});
