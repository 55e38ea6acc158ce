import { describe, expect, it } from "vitest";
import { approvalPolicy, classifyCommand, type Sandbox } from "@/lib/approval";
import { corpus, type CorpusEntry } from "./corpus";

const levelIn = (c: CorpusEntry, sandbox: Sandbox) => (sandbox === "on" ? c.sandboxed : c.level);

describe("shell command corpus", () => {
  it("has at least 150 distinct commands, with plenty of each class", () => {
    expect(new Set(corpus.map((c) => c.command)).size).toBe(corpus.length);
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    for (const level of ["safe", "risky", "denied"] as const) {
      expect(corpus.filter((c) => c.level === level).length).toBeGreaterThanOrEqual(30);
    }
  });

  describe.each(["off", "on"] as const)("with the sandbox %s", (sandbox) => {
    const unsafe = corpus.filter((c) => levelIn(c, sandbox) !== "safe");

    it.each(corpus.map((c) => [JSON.stringify(c.command), levelIn(c, sandbox), c.command] as const))("%s is %s", (_shown, level, command) => {
      const result = classifyCommand(command, { sandbox });
      expect(result.level, result.reasons.join("\n")).toBe(level);
      // A verdict other than safe always says why, naming the part.
      if (level !== "safe") expect(result.reasons.length).toBeGreaterThan(0);
      else expect(result.reasons).toEqual([]);
    });

    it("lets no risky or denied command run unasked in the default mode", () => {
      const ranUnasked = unsafe.filter((c) => approvalPolicy({ mode: "risky", sandbox, action: { kind: "shell", command: c.command } }).decision === "allow");
      expect(ranUnasked.map((c) => c.command)).toEqual([]);
    });

    it("lets no bypass through an allow rule for the innocent part", () => {
      const rules = { allow: ["npm test", "npm test *", "npm -v", "ls", "ls *", "a", "echo *", "git status", "pwd", "cat file"], ask: [], deny: [] };
      const ranUnasked = unsafe.filter(
        (c) => approvalPolicy({ mode: "risky", sandbox, rules, action: { kind: "shell", command: c.command } }).decision === "allow" && !allowedOnPurpose(c.command, rules.allow),
      );
      expect(ranUnasked.map((c) => c.command)).toEqual([]);
    });

    it("blocks every denied command even in auto mode", () => {
      for (const c of corpus.filter((x) => levelIn(x, sandbox) === "denied")) {
        expect(approvalPolicy({ mode: "auto", sandbox, action: { kind: "shell", command: c.command } }).decision, c.command).toBe("deny");
      }
    });

    it("runs every safe command without asking in the default mode", () => {
      for (const c of corpus.filter((x) => levelIn(x, sandbox) === "safe")) {
        expect(approvalPolicy({ mode: "risky", sandbox, action: { kind: "shell", command: c.command } }), c.command).toEqual({ decision: "allow", reasons: [] });
      }
    });
  });

  it("assumes no sandbox unless told", () => {
    expect(classifyCommand("npm test").level).toBe("risky");
    expect(approvalPolicy({ mode: "risky", action: { kind: "shell", command: "npm test" } }).decision).toBe("ask");
  });
});

/** A command that is itself exactly what an allow rule names (`npm test` with the rule `npm test`) is allowed on purpose. */
function allowedOnPurpose(command: string, allow: string[]): boolean {
  const { parts, findings } = classifyCommand(command);
  return findings.length === 0 && parts.length === 1 && allow.some((rule) => rule === parts[0]!.command || (rule.endsWith(" *") && parts[0]!.command.startsWith(rule.slice(0, -1))));
}
