import { commandOf } from "../inputs/requestInput";

/**
 * How the feed reads a tool call's input, for people rather than as JSON: a one-line summary
 * for the collapsed step, the fields as "key: value", and a file edit as its change.
 */

export type InputField = { key: string; value: string; mono: boolean; block: boolean };
export type FileEdit = { path: string; before: string; after: string };

// Fields whose text is prose (shown as text); everything else is code, paths, patterns (monospace).
const PROSE_KEYS = new Set(["question", "description", "prompt", "message", "text", "reason", "title", "summary"]);
// What a step's one-line summary names first, when the input has it.
const SUMMARY_KEYS = ["command", "pattern", "query", "path", "file_path", "filePath", "url", "question", "description"] as const;
const SUMMARY_CHARS = 160;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const oneLine = (text: string) => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > SUMMARY_CHARS ? `${line.slice(0, SUMMARY_CHARS - 1)}…` : line;
};

/** The input's gist on one line: the command, the path, the pattern…; "" when it has none. */
export function toolSummary(input: unknown): string {
  const command = commandOf(input);
  if (command !== null) return oneLine(command);
  if (!isRecord(input)) return input === undefined || input === null ? "" : oneLine(JSON.stringify(input));
  for (const key of SUMMARY_KEYS) {
    const value = input[key];
    if (typeof value === "string" && value.trim()) return oneLine(value);
  }
  const first = Object.values(input).find((v) => typeof v === "string" && v.trim());
  return typeof first === "string" ? oneLine(first) : "";
}

/** The input's fields in order, each as text a person reads. */
export function inputFields(input: unknown): InputField[] {
  if (!isRecord(input)) {
    if (input === undefined || input === null) return [];
    const value = typeof input === "string" ? input : JSON.stringify(input, null, 2);
    return [{ key: "input", value, mono: true, block: value.includes("\n") }];
  }
  return Object.entries(input).map(([key, v]) => {
    if (typeof v === "string") return { key, value: v, mono: !PROSE_KEYS.has(key), block: v.includes("\n") };
    if (typeof v === "number" || typeof v === "boolean" || v === null) return { key, value: String(v), mono: true, block: false };
    const compact = JSON.stringify(v);
    return compact.length <= 100 ? { key, value: compact, mono: true, block: false } : { key, value: JSON.stringify(v, null, 2), mono: true, block: true };
  });
}

const pathOf = (input: Record<string, unknown>) => {
  const path = input.path ?? input.file_path;
  return typeof path === "string" ? path : null;
};

/** A replace-in-file call (edit_file, Claude Code's Edit): the file and its text before and after. */
export function fileEditOf(input: unknown): FileEdit | null {
  if (!isRecord(input)) return null;
  const path = pathOf(input);
  const before = input.old_string;
  const after = input.new_string;
  if (path === null || typeof before !== "string" || typeof after !== "string") return null;
  return { path, before, after };
}

/** The replacements of a file-edit call: one (edit_file, Edit) or several (Claude Code's MultiEdit `edits`). */
export function fileEditsOf(input: unknown): FileEdit[] | null {
  const one = fileEditOf(input);
  if (one) return [one];
  if (!isRecord(input) || !Array.isArray(input.edits) || input.edits.length === 0) return null;
  const path = pathOf(input);
  if (path === null) return null;
  const edits = input.edits.map((e) => fileEditOf(isRecord(e) ? { ...e, path } : null));
  return edits.every((e) => e !== null) ? edits : null;
}

/** A whole-file write (write_file, Claude Code's Write): the file and its new content. */
export function fileWriteOf(input: unknown): { path: string; content: string } | null {
  if (!isRecord(input) || typeof input.content !== "string" || "old_string" in input) return null;
  const path = pathOf(input);
  return path === null ? null : { path, content: input.content };
}

export type DiffLine = { op: " " | "-" | "+" | "\\"; text: string };

/** The lines of a unified diff's hunk (" kept", "-removed", "+added", "\\ No newline…") as diff lines. */
export function hunkLines(lines: readonly string[]): DiffLine[] {
  return lines.map((line) => {
    const op = line[0];
    if (op === "-" || op === "+" || op === "\\") return { op, text: op === "\\" ? line.slice(1).trim() : line.slice(1) };
    return { op: " ", text: op === " " ? line.slice(1) : line };
  });
}

/** A hunk's header as a unified diff writes it: where it is in the old and the new file. */
export const hunkHeader = (h: { oldStart: number; oldLines: number; newStart: number; newLines: number }) =>
  `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`;

// Beyond this many line pairs the table would be large: the change shows as all removed, then all added.
const MAX_DIFF_CELLS = 250_000;

/**
 * A line diff of two texts (longest common subsequence), in the order a unified diff shows it:
 * kept lines, then within each change the removed lines before the added ones.
 */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split("\n");
  const b = after.split("\n");
  if (a.length * b.length > MAX_DIFF_CELLS) {
    return [...a.map((text) => ({ op: "-" as const, text })), ...b.map((text) => ({ op: "+" as const, text }))];
  }
  // lcs[i][j]: the common lines of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let removed: DiffLine[] = [];
  let added: DiffLine[] = [];
  const flush = () => {
    out.push(...removed, ...added);
    removed = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      flush();
      out.push({ op: " ", text: a[i]! });
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      added.push({ op: "+", text: b[j]! });
      j++;
    } else {
      removed.push({ op: "-", text: a[i]! });
      i++;
    }
  }
  flush();
  return out;
}
