import { BinaryOp, is, walk, type BinaryCmd, type CallExpr, type FuncDecl, type Lit, type Stmt } from "../shell/ast";

/**
 * How a function defined in the command line calls itself: `bomb` when a call is piped or
 * backgrounded (`:(){ :|:& };:` and renamings of it: each call starts two more, without end),
 * `recursive` for plain self-calls, `none` otherwise.
 */
export function selfCalls(fn: FuncDecl): "bomb" | "recursive" | "none" {
  const name = fn.Name.Value;
  let recursive = false;
  let multiplies = false;
  walk(fn.Body, (node) => {
    if (is<Stmt>(node, "Stmt") && node.Background) multiplies = true;
    if (is<BinaryCmd>(node, "BinaryCmd") && (node.Op === BinaryOp.Pipe || node.Op === BinaryOp.PipeAll)) multiplies = true;
    if (is<CallExpr>(node, "CallExpr")) {
      const first = node.Args[0]?.Parts;
      if (first?.length === 1 && is<Lit>(first[0], "Lit") && first[0].Value === name) recursive = true;
    }
  });
  if (!recursive) return "none";
  return multiplies ? "bomb" : "recursive";
}
