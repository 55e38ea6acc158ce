import { describe, expect, it } from "vitest";
import { parseFlags, type FlagSpec } from "@/lib/approval/commands/flags";
import { sedEffects } from "@/lib/approval/commands/sedScript";
import type { Arg } from "@/lib/approval/shell/words";

const args = (...values: string[]): Arg[] => values.map((value) => ({ value, dynamic: false }));

describe("parseFlags", () => {
  const spec: FlagSpec = {
    short: "abc",
    shortValue: "n",
    shortOptional: "i",
    long: ["all"],
    longValue: ["lines"],
    longOptional: ["color"],
    numeric: true,
    effects: { "-o": { kind: "write" }, "--pre": { kind: "program", what: "x" } },
  };

  it("reads grouped, attached and separate values the way getopt does", () => {
    const parsed = parseFlags(spec, args("-abn5", "file", "--lines", "3", "--color", "--color=never", "-o", "out", "-ix", "-20", "--", "-a"));
    expect(parsed.flags.map((f) => [f.flag, f.value?.value])).toEqual([
      ["-a", undefined],
      ["-b", undefined],
      ["-n", "5"],
      ["--lines", "3"],
      ["--color", undefined],
      ["--color", "never"],
      ["-o", "out"],
      ["-i", "x"],
      ["-20", undefined],
    ]);
    expect(parsed.operands.map((a) => a.value)).toEqual(["file", "-a"]);
    expect(parsed.unknown).toEqual([]);
    expect(parsed.doubleDash).toBe(true);
  });

  it("lists unknown flags, abbreviations and values given to flags that take none", () => {
    expect(parseFlags(spec, args("-z", "-az", "--al", "--all=1", "--nope")).unknown).toEqual(["-z", "-z", "--al", "--all=1", "--nope"]);
  });

  it("takes the next word as the value of an effect flag, so it is never read as an operand", () => {
    expect(parseFlags(spec, args("--pre", "sh", "x")).flags).toEqual([{ flag: "--pre", value: { value: "sh", dynamic: false } }]);
  });

  it("stops at the first operand for wrappers", () => {
    const parsed = parseFlags(spec, args("-a", "rm", "-rf", "x"), { stopAtOperand: true });
    expect(parsed.operands.map((a) => a.value)).toEqual(["rm", "-rf", "x"]);
  });

  it("notes run-time words where a flag could stand", () => {
    expect(parseFlags(spec, [{ value: "$X", dynamic: true }]).dynamicFlags).toHaveLength(1);
  });
});

describe("sedEffects", () => {
  it.each([
    ["1e rm -rf build", { runs: ["rm -rf build"] }],
    ["/x/e id", { runs: ["id"] }],
    ["$!{e date\n}", { runs: ["date"] }],
    ["1,3!e touch x", { runs: ["touch x"] }],
    ["e", { runsPatternSpace: true }],
    ["s/a/b/e", { runsPatternSpace: true }],
    ["s/a/b/gpe", { runsPatternSpace: true }],
    ["s|a|b|w out.txt", { writes: ["out.txt"] }],
    ["w /etc/x", { writes: ["/etc/x"] }],
    ["/x/W ../y", { writes: ["../y"] }],
    ["r /proc/1/environ", { reads: ["/proc/1/environ"] }],
    ["1d;2e id", { runs: ["id"] }],
    ["y/e/w/", {}],
    ["s/e/w/g", {}],
    ["a e text", {}],
    ["/start/,/end/{/end/!p}", {}],
    ["\\,x,p", {}],
    ["# e comment\np", {}],
    [":e\nb e", {}],
    ["s/a", { unreadable: "an unterminated `s` command" }],
    ["k", { unreadable: "the unknown command `k`" }],
  ])("%j", (script, expected) => {
    expect(sedEffects(script)).toEqual({ runs: [], runsPatternSpace: false, writes: [], reads: [], unreadable: null, ...expected });
  });
});
