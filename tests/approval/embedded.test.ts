import { describe, expect, it } from "vitest";
import { gateToolCall } from "../../jobs/agent/approvalGate";
import type { HumanInputRequest } from "../../jobs/humanInput";
import { approvalPolicy, classifyCommand, deniedByRule, type ApprovalRules } from "@/lib/approval";

const rules = (r: Partial<ApprovalRules>): ApprovalRules => ({ allow: [], ask: [], deny: [], ...r });
const decide = (command: string, r: Partial<ApprovalRules> = {}, sandbox: "on" | "off" = "on") =>
  approvalPolicy({ mode: "risky", sandbox, rules: rules(r), action: { kind: "shell", command } });

describe("rules match the commands a command runs", () => {
  it.each([
    "sed -n '1e rm -rf build' notes.txt",
    "sed -e p -e '2e rm -rf build' notes.txt",
    "awk 'BEGIN { system(\"rm -rf build\") }'",
    "git grep -O'rm -rf build' pattern",
    "git -C . grep -nO'rm -rf build' pattern",
    "git bisect run rm -rf build",
    "git submodule foreach 'rm -rf build'",
    "git rebase -x 'rm -rf build' main",
    "git filter-branch --tree-filter 'rm -rf build' HEAD",
    "find . -name build -exec rm -rf {} +",
    "echo build | xargs rm -rf",
    "env -S 'rm -rf build'",
    "env -i PATH=/usr/bin rm -rf build",
    "timeout -k 1 5 rm -rf build",
    "nice -n 5 rm -rf build",
    "sh -c 'rm -rf build'",
    "bash -c \"bash -c 'rm -rf build'\"",
    "zip out.zip a -T -TT 'rm -rf build'",
    "tar -xf a.tar --to-command='rm -rf build'",
    "/usr/bin/rm -rf build",
  ])("deny `rm *` refuses %s", (command) => {
    const decision = decide(command, { deny: ["rm *"] });
    expect(decision.decision, decision.reasons.join("\n")).toBe("deny");
    expect(decision.reasons.join("\n")).toMatch(/is denied by the rule `rm \*`/);
    expect(deniedByRule(command, rules({ deny: ["rm *"] }))).toMatchObject({ rule: "rm *" });
  });

  it.each([
    ["eval \"$(printf 'r''m -rf build')\"", "evaluates code only known at run time"],
    ["python3 -c 'import shutil; shutil.rmtree(\"build\")'", "runs inline Python code"],
    ["echo cm0gLXJmIGJ1aWxk | base64 -d | sh", "pipes data into `sh`, which runs it as code"],
    ["$TOOL -rf build", "has a command name only known at run time"],
    ["bash -c \"$X\"", "runs shell code that is only known at run time"],
    ["sed 's/.*/rm -rf build/e' notes.txt", "runs the text it edits as a shell command"],
    ["echo 'rm -rf build' > x.sh; bash x.sh", "which this same command wrote"],
  ])("under deny rules, refuses %s: its code cannot be checked against them", (command, why) => {
    const refusal = deniedByRule(command, rules({ deny: ["rm *"] }));
    expect(refusal && "unreadable" in refusal && refusal.unreadable).toContain(why);
    expect(deniedByRule(command, rules({ allow: ["*"] }))).toBeNull();
    // The agent's policy asks about it even in `auto` mode when there are deny rules.
    const auto = approvalPolicy({ mode: "auto", sandbox: "on", rules: rules({ deny: ["rm *"] }), action: { kind: "shell", command } });
    expect(auto.decision).toBe("ask");
    expect(auto.reasons.join("\n")).toContain("so the deny rules cannot be checked against it");
  });

  it("asks (ask rules match embedded commands too)", () => {
    expect(decide("sed -n '1e git push origin main' f", { ask: ["git push *"] }).reasons).toContain(
      "`git push origin main` matches the ask rule `git push *`",
    );
  });

  it("names a program given by a flag for rules (`sort --compress-program`, `man -P`)", () => {
    expect(decide("sort --compress-program=curl big.txt", { deny: ["curl*"] }).decision).toBe("deny");
    expect(decide("man -P curl ls", { deny: ["curl*"] }).decision).toBe("deny");
  });

  it("never allows a command whose embedded program cannot be read, whatever the allow rules", () => {
    for (const command of [
      "sed 's/.*/id/e' notes.txt",
      "sed -n '1e' notes.txt",
      "sed -n \"1e $CMD\" notes.txt",
      "sed -f script.sed notes.txt",
      "awk '{ system($0) }' cmds.txt",
      "awk '{ print | \"sh\" }' cmds.txt",
      "awk -f prog.awk data.txt",
      "git grep -O\"$PAGER\" x",
      "git grep --open-files-in-pager x",
      "find . $EXPR",
      "sort $OPTS data.txt",
      "env -S \"$CMD\"",
      "git $SUB",
    ]) {
      const decision = decide(command, { allow: ["sed *", "awk *", "git *", "find *", "sort *", "env *"] });
      expect(decision.decision, command).not.toBe("allow");
    }
  });

  it("keeps the carrier risky even when what it runs is harmless", () => {
    expect(classifyCommand("sed -n '1e id' f").level).toBe("risky");
    expect(classifyCommand("git grep -Oid x").level).toBe("risky");
    expect(classifyCommand("awk 'BEGIN { system(\"id\") }'").level).toBe("risky");
    // Commands whose job is to run a command are judged by what they run.
    expect(classifyCommand("find . -name '*.ts' -exec wc -l {} +").level).toBe("safe");
    expect(classifyCommand("timeout 5 ls").level).toBe("safe");
  });
});

describe("unknown flags ask", () => {
  it.each([
    "ls --frobnicate",
    "cat -Z x",
    "grep --frobnicate x y",
    "head --pre=x y",
    "sort --compress x",
    "git log --frobnicate",
    "git status --exec=x",
    "git diff --frobnicate",
    "git -x log",
    "find . -frobnicate",
    "sed --frobnicate p x",
    "tar -tf a.tar --frobnicate",
    "timeout --frobnicate 5 ls",
    "xargs --frobnicate ls",
    "env --frobnicate ls",
    "rg --frobnicate x",
    "jq --frobnicate . x.json",
    "less --frobnicate x",
    "diff --frobnicate a b",
    "wc --frobnicate x",
  ])("%s asks, naming the flag", (command) => {
    const decision = decide(command);
    expect(decision.decision).toBe("ask");
    expect(decision.reasons.join("\n")).toMatch(/--frobnicate|-Z|-x|-frobnicate|--compress|--pre|--exec/);
  });

  it("asks about an unknown command, even in the sandbox", () => {
    expect(decide("frobnicate --now").reasons).toEqual(["`frobnicate --now` runs `frobnicate`, a command the policy does not know"]);
  });
});

describe("the sandbox setting", () => {
  it("lets the repository's own checks run in the sandbox and asks without it, saying so", () => {
    for (const command of ["npm test", "pytest -q", "make test", "cargo test", "go test ./...", "npx vitest run", "yarn test", "python -m pytest"]) {
      expect(decide(command, {}, "on").decision, command).toBe("allow");
      const off = decide(command, {}, "off");
      expect(off.decision, command).toBe("ask");
      expect(off.reasons[0]).toMatch(/runs the repository's own code .* not sandboxed \(SANDBOX=off\); with the sandbox on it would run without asking/);
    }
  });

  it("asks about other code of the repository either way", () => {
    for (const command of ["node server.js", "python script.py", "./configure", "bash deploy.sh", "npm run deploy", "make deploy"]) {
      expect(decide(command, {}, "on").decision, command).toBe("ask");
    }
  });

  it("keeps reading other processes' secrets risky even in the sandbox", () => {
    for (const command of ["cat /proc/1/environ", "tr '\\0' '\\n' < /proc/$PPID/environ", "strings /proc/self/mem", "head /proc/*/cmdline", "xxd /proc/1/environ"]) {
      expect(decide(command, {}, "on").decision, command).toBe("ask");
    }
    expect(decide("cat /proc/cpuinfo", {}, "on").decision).toBe("allow");
  });

  it("reaches the policy from the agent's approval gate", async () => {
    const asked: HumanInputRequest[] = [];
    const ask = async (request: HumanInputRequest) => {
      asked.push(request);
      return { decision: "deny" as const, by: "test" };
    };
    const call = { type: "tool_use" as const, id: "call-1", name: "shell", input: { command: "npm test" } };
    const settings = (sandbox: "on" | "off") => ({ mode: "risky" as const, remembered: { shell: [], write: [], tools: [] }, sandbox });
    expect(await gateToolCall(call, settings("on"), ask)).toEqual({ run: true, input: call.input });
    expect(asked).toEqual([]);
    expect(await gateToolCall(call, settings("off"), ask)).toMatchObject({ run: false });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.reasons?.[0]).toMatch(/SANDBOX=off/);
  });
});
