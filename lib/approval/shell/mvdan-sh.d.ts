// Types for the parts of mvdan-sh (mvdan/sh compiled to JavaScript by GopherJS) that the
// approval classifier uses. The package ships none. Field names are the Go AST's
// (https://pkg.go.dev/mvdan.cc/sh/v3/syntax); only what we read is declared.
declare module "mvdan-sh" {
  export interface ShPos {
    Offset(): number;
  }

  /** Any syntax node; narrow it with `syntax.NodeType(node)`. */
  export interface ShNode {
    Pos(): ShPos;
    End(): ShPos;
  }

  export interface ShParser {
    /** Throws a ParseError-like object (`Text`, `Incomplete`) on a syntax error. */
    Parse(src: string, name: string): ShNode;
  }

  export interface ShSyntax {
    NewParser(...options: unknown[]): ShParser;
    NodeType(node: ShNode): string;
    /** Visits every node depth-first in source order; `false` skips a node's children. */
    Walk(node: ShNode, visit: (node: ShNode | null) => boolean): void;
    KeepComments(keep: boolean): unknown;
  }

  // A CommonJS module (GopherJS output) whose exports Node cannot list: import the default.
  const mvdanSh: { syntax: ShSyntax };
  export default mvdanSh;
}
