import { describe, expect, it } from "vitest";
import { BinaryOp, RedirOp, is, walk, type BinaryCmd, type Redirect } from "@/lib/approval/shell/ast";
import { parseShell } from "@/lib/approval/shell/parse";
import { wordArg } from "@/lib/approval/shell/words";

function firstOf<T>(src: string, type: string): T {
  const parsed = parseShell(src);
  if (!parsed.ok) throw new Error(parsed.error);
  let found: T | undefined;
  walk(parsed.file, (node) => {
    if (!found && is(node, type)) found = node as T;
  });
  if (!found) throw new Error(`no ${type} in ${src}`);
  return found;
}

// The token numbers are mvdan-sh internals: a new version that renumbers them must fail here,
// not silently stop the classifier from seeing redirections and pipes.
describe("mvdan-sh token numbers", () => {
  it.each([
    [">", RedirOp.Out],
    [">>", RedirOp.Append],
    ["<", RedirOp.In],
    ["<>", RedirOp.ReadWrite],
    ["<&", RedirOp.DupIn],
    [">&", RedirOp.DupOut],
    [">|", RedirOp.Clobber],
    ["<<<", RedirOp.WordHeredoc],
    ["&>", RedirOp.AllOut],
    ["&>>", RedirOp.AppendAll],
  ])("redirection %s", (op, expected) => {
    expect(firstOf<Redirect>(`a ${op} f`, "Redirect").Op).toBe(expected);
  });

  it("here-documents and binary operators", () => {
    expect(firstOf<Redirect>("a <<E\nx\nE\n", "Redirect").Op).toBe(RedirOp.Heredoc);
    expect(firstOf<Redirect>("a <<-E\nx\nE\n", "Redirect").Op).toBe(RedirOp.DashHeredoc);
    expect(firstOf<BinaryCmd>("a && b", "BinaryCmd").Op).toBe(BinaryOp.And);
    expect(firstOf<BinaryCmd>("a || b", "BinaryCmd").Op).toBe(BinaryOp.Or);
    expect(firstOf<BinaryCmd>("a | b", "BinaryCmd").Op).toBe(BinaryOp.Pipe);
    expect(firstOf<BinaryCmd>("a |& b", "BinaryCmd").Op).toBe(BinaryOp.PipeAll);
  });
});

describe("words", () => {
  const argsOf = (src: string) => {
    const parsed = parseShell(src);
    if (!parsed.ok) throw new Error(parsed.error);
    const call = parsed.file.Stmts[0]!.Cmd as unknown as { Args: Parameters<typeof wordArg>[1][] };
    return call.Args.map((w) => wordArg(src, w));
  };

  it("removes quotes and escapes the way bash does", () => {
    expect(argsOf(`r''m "a b" \\c $'\\x41\\101\\u0042\\n' "\\$x" 'q\\'`).map((a) => a.value)).toEqual(["rm", "a b", "c", "AAB\n", "$x", "q\\"]);
  });

  it("marks run-time parts and reads $HOME as ~", () => {
    expect(argsOf("echo $X ${HOME}/.ssh $(id) $HOME")).toEqual([
      { value: "echo", dynamic: false },
      { value: "$X", dynamic: true },
      { value: "~/.ssh", dynamic: false },
      { value: "$(id)", dynamic: true },
      { value: "~", dynamic: false },
    ]);
  });

  it("reports syntax errors instead of throwing", () => {
    expect(parseShell("if then")).toMatchObject({ ok: false });
  });
});
