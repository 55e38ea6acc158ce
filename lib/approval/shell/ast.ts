import mvdanSh, { type ShNode } from "mvdan-sh";

const { syntax } = mvdanSh;

/**
 * Typed views of the mvdan/sh syntax nodes the classifier reads. GopherJS exposes Go struct
 * fields as properties and Go slices as arrays; a nil pointer arrives as null.
 */
export type Node = ShNode;

export interface File extends Node {
  Stmts: Stmt[];
}
export interface Stmt extends Node {
  Cmd: Node | null;
  Redirs: Redirect[];
  Background: boolean;
}
export interface Word extends Node {
  Parts: Node[];
}
export interface Lit extends Node {
  Value: string;
}
export interface SglQuoted extends Node {
  Value: string;
  Dollar: boolean;
}
export interface DblQuoted extends Node {
  Parts: Node[];
}
export interface ParamExp extends Node {
  Short: boolean;
  Param: Lit | null;
  // Any of these set means the expansion is more than a plain `$NAME`.
  Index: Node | null;
  Slice: Node | null;
  Repl: Node | null;
  Exp: Node | null;
  Length: boolean;
  Excl: boolean;
}
export interface Assign extends Node {
  Name: Lit | null;
  Value: Word | null;
  Naked: boolean;
}
export interface CallExpr extends Node {
  Assigns: Assign[];
  Args: Word[];
}
export interface Redirect extends Node {
  Op: number;
  N: Lit | null;
  Word: Word | null;
  Hdoc: Word | null;
}
export interface BinaryCmd extends Node {
  Op: number;
  X: Stmt;
  Y: Stmt;
}
export interface FuncDecl extends Node {
  Name: Lit;
  Body: Stmt;
}
export interface DeclClause extends Node {
  Variant: Lit;
  Args: Assign[];
}

/** Token numbers of mvdan-sh 0.10.1 (checked by tests/approval/parser.test.ts). */
export const RedirOp = {
  Out: 54, // >
  Append: 55, // >>
  In: 56, // <
  ReadWrite: 57, // <>
  DupIn: 58, // <&
  DupOut: 59, // >&
  Clobber: 60, // >|
  Heredoc: 61, // <<
  DashHeredoc: 62, // <<-
  WordHeredoc: 63, // <<<
  AllOut: 64, // &>
  AppendAll: 65, // &>>
} as const;

export const BinaryOp = { And: 10, Or: 11, Pipe: 12, PipeAll: 13 } as const;

/** The redirection operators that open their target for writing. */
export const WRITE_REDIRECTS: ReadonlySet<number> = new Set([
  RedirOp.Out,
  RedirOp.Append,
  RedirOp.ReadWrite,
  RedirOp.Clobber,
  RedirOp.AllOut,
  RedirOp.AppendAll,
]);

export const nodeType = (node: Node): string => syntax.NodeType(node);

export function is<T extends Node>(node: Node | null | undefined, type: string): node is T {
  return node != null && syntax.NodeType(node) === type;
}

/** Every node below `root` (itself included), depth-first in source order. */
export function walk(root: Node, visit: (node: Node) => boolean | void): void {
  syntax.Walk(root, (node) => (node ? visit(node) !== false : true));
}

export const sourceOf = (src: string, node: Node) => src.slice(node.Pos().Offset(), node.End().Offset());
