import { injectsCode } from "../commands/environment";
import {
  BinaryOp,
  RedirOp,
  WRITE_REDIRECTS,
  is,
  nodeType,
  sourceOf,
  walk,
  type Assign,
  type BinaryCmd,
  type CallExpr,
  type DeclClause,
  type File,
  type FuncDecl,
  type Node,
  type Redirect,
} from "../shell/ast";
import { parseShell } from "../shell/parse";
import { wordArg } from "../shell/words";
import { isCredentialPath, isNetworkDevicePath, isProcessSecretPath } from "../paths";
import { selfCalls } from "./forkBomb";
import { runsInputAsCode } from "./pipes";
import { classifyArgv } from "./simpleCommand";
import { label, type Analysis } from "./state";
import { judgeWrite } from "./writes";

// `bash -c "bash -c '…'"` nests; past this depth the command is risky rather than read further.
const MAX_DEPTH = 8;

function checkAssigns(analysis: Analysis, src: string, assigns: Assign[]): void {
  for (const a of assigns) {
    const name = a.Name?.Value;
    if (name && injectsCode(name)) analysis.addFinding("risky", `${label(sourceOf(src, a))} sets ${name}, which changes what runs`);
  }
}

function checkRedirect(analysis: Analysis, src: string, r: Redirect): void {
  if (!r.Word || r.Op === RedirOp.Heredoc || r.Op === RedirOp.DashHeredoc || r.Op === RedirOp.WordHeredoc) return;
  const target = wordArg(src, r.Word);
  const where = label(sourceOf(src, r));
  // `2>&1`, `>&-`: duplicating a descriptor opens no file.
  if ((r.Op === RedirOp.DupOut || r.Op === RedirOp.DupIn) && /^(\d+|-)$/.test(target.value)) return;
  if (isNetworkDevicePath(target.value)) {
    analysis.addFinding("risky", `${where} opens a network connection (${target.value.split("/").slice(0, 4).join("/")})`);
    return;
  }
  if (!target.dynamic && isCredentialPath(target.value)) {
    analysis.addFinding("denied", `${where} reads or writes a credential store`);
    return;
  }
  if (WRITE_REDIRECTS.has(r.Op) || r.Op === RedirOp.DupOut) judgeWrite(analysis, target, where);
  else if (isProcessSecretPath(target.value)) {
    analysis.addFinding("risky", `${where} reads \`${target.value}\`: another process's environment, memory or details`);
  }
}

function checkPipe(analysis: Analysis, src: string, pipe: BinaryCmd): void {
  if (pipe.Op !== BinaryOp.Pipe && pipe.Op !== BinaryOp.PipeAll) return;
  const right = pipe.Y.Cmd;
  if (!is<CallExpr>(right, "CallExpr")) return;
  const reader = runsInputAsCode(right.Args.map((w) => wordArg(src, w)));
  if (reader) analysis.addUnreadable(`${label(sourceOf(src, pipe))} pipes data into \`${reader}\`, which runs it as code`);
}

function checkFunction(analysis: Analysis, src: string, fn: FuncDecl): void {
  const calls = selfCalls(fn);
  if (calls === "bomb") analysis.addFinding("denied", `${label(sourceOf(src, fn))} is a fork bomb: \`${fn.Name.Value}\` starts copies of itself without end`);
  else if (calls === "recursive") analysis.addFinding("risky", `${label(sourceOf(src, fn))} calls itself recursively`);
}

function visit(analysis: Analysis, src: string, node: Node, forms: string[], depth: number): void {
  switch (nodeType(node)) {
    case "CallExpr": {
      const call = node as CallExpr;
      checkAssigns(analysis, src, call.Assigns);
      if (call.Args.length) {
        classifyArgv(call.Args.map((w) => wordArg(src, w)), forms, analysis, (code, inner) => analyzeScript(analysis, code, inner, depth + 1));
      }
      return;
    }
    case "DeclClause":
      checkAssigns(analysis, src, (node as DeclClause).Args);
      return;
    case "Redirect":
      checkRedirect(analysis, src, node as Redirect);
      return;
    case "BinaryCmd":
      checkPipe(analysis, src, node as BinaryCmd);
      return;
    case "FuncDecl":
      checkFunction(analysis, src, node as FuncDecl);
      return;
  }
}

/**
 * Parses shell code and classifies everything in it that runs: every simple command wherever it
 * sits (lists, pipelines, subshells, blocks, functions, if/for/while/case, command and process
 * substitution in words, assignments, double quotes and here-documents), every redirection.
 */
export function analyzeScript(analysis: Analysis, src: string, forms: string[], depth: number): void {
  if (depth > MAX_DEPTH) {
    analysis.addUnreadable(`${label(src)} nests shell code too deeply to check`);
    return;
  }
  const parsed = parseShell(src);
  if (!parsed.ok) {
    analysis.addUnreadable(`${label(src)} could not be parsed as a shell command (${parsed.error})`);
    return;
  }
  const file: File = parsed.file;
  walk(file, (node) => {
    if (is<FuncDecl>(node, "FuncDecl")) analysis.functions.add(node.Name.Value);
  });
  walk(file, (node) => visit(analysis, src, node, forms, depth));
}
