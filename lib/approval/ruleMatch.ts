import { commandText } from "./commands/argv";
import { is, type CallExpr } from "./shell/ast";
import { parseShell } from "./shell/parse";
import { wordArg } from "./shell/words";

/**
 * A pattern in the same normal form as the commands it is matched against: a pattern that is
 * one plain command is re-quoted like a command (`git commit -m "wip"` → `git commit -m wip`);
 * anything else keeps its text with whitespace collapsed.
 */
export function normalizePattern(pattern: string): string {
  const collapsed = pattern.trim().replace(/\s+/g, " ");
  const parsed = parseShell(collapsed);
  if (!parsed.ok || parsed.file.Stmts.length !== 1) return collapsed;
  const stmt = parsed.file.Stmts[0]!;
  if (stmt.Redirs.length || !is<CallExpr>(stmt.Cmd, "CallExpr") || stmt.Cmd.Assigns.length) return collapsed;
  const argv = stmt.Cmd.Args.map((w) => wordArg(collapsed, w));
  return argv.some((a) => a.dynamic) ? collapsed : commandText(argv);
}

const cache = new Map<string, RegExp>();

function patternRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const normal = normalizePattern(pattern);
    const optionalTail = normal.endsWith(" *");
    const body = (optionalTail ? normal.slice(0, -2) : normal)
      .split("*")
      .map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("[\\s\\S]*");
    re = new RegExp(`^${body}${optionalTail ? "( [\\s\\S]*)?" : ""}$`);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** True when a normalized command matches a rule pattern. */
export const matchesPattern = (pattern: string, command: string) => patternRegExp(pattern).test(command);

/** The first pattern that matches any of the forms, if one does. */
export const firstMatch = (patterns: string[], forms: string[]) =>
  patterns.find((p) => forms.some((form) => matchesPattern(p, form)));
