import { structuredPatch } from "diff";
import type { FileChange } from "../../../lib/events";
import { maskSecrets } from "../../secrets";
import { byteLength, capLine } from "./capping";

/**
 * A file tool's change as the feed shows it: a unified diff of the file's previous content
 * against what was written, computed here because only the job process knows the previous
 * content. Bounded like every output the job process emits: a few hundred lines, each line
 * cut, secrets masked before anything is cut (a cut must not leave half a secret).
 */

const CONTEXT_LINES = 3;
const SHOWN_LINES = 400;
const RUN_LINES = 60;
const SHOWN_BYTES = 32 * 1024;
const LINE_CHARS = 400;
// Beyond these the diff costs more than it tells (Myers' diff is O(N·D)): the step says the size only.
export const MAX_DIFFED_BYTES = 1024 * 1024;
const MAX_EDIT_LENGTH = 5_000;
const DIFF_TIMEOUT_MS = 500;

/** `before` null: the file was created. Undefined when the change is too large to diff. */
export function fileChangeOf(path: string, before: string | null, after: string, secrets: readonly string[]): FileChange | undefined {
  if (byteLength(before ?? "") > MAX_DIFFED_BYTES || byteLength(after) > MAX_DIFFED_BYTES) return undefined;
  const patch = structuredPatch(path, path, maskSecrets(before ?? "", secrets), maskSecrets(after, secrets), undefined, undefined, {
    context: CONTEXT_LINES,
    maxEditLength: MAX_EDIT_LENGTH,
    timeout: DIFF_TIMEOUT_MS,
  });
  if (!patch) return undefined;

  let additions = 0;
  let deletions = 0;
  for (const line of patch.hunks.flatMap((h) => h.lines)) {
    if (line.startsWith("+")) additions++;
    else if (line.startsWith("-")) deletions++;
  }
  const { hunks, omittedLines } = capHunks(patch.hunks);
  return { path, created: before === null, additions, deletions, hunks, omittedLines };
}

type Hunk = FileChange["hunks"][number];

/**
 * The hunks cut to what the feed shows: at most RUN_LINES of one run of removed lines, so a
 * rewrite shows some of what went and then what came instead of only the removals, and at
 * most SHOWN_LINES / SHOWN_BYTES in all. Where lines are left out the hunk
 * ends and the next shown line starts a new one with its own line numbers, so the gap shows.
 */
function capHunks(hunks: readonly Hunk[]): { hunks: Hunk[]; omittedLines: number } {
  const out: Hunk[] = [];
  let shownLines = 0;
  let shownBytes = 0;
  let omittedLines = 0;
  // Once the budget is spent nothing more is shown, also not a shorter line that would still fit.
  let full = false;
  for (const hunk of hunks) {
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    let current: Hunk | null = null;
    let runOp = "";
    let runLength = 0;
    for (const line of hunk.lines) {
      const op = line[0] ?? " ";
      runLength = op === runOp ? runLength + 1 : 1;
      runOp = op;
      const shown = capLine(line, LINE_CHARS);
      if (op !== "\\" && (shownLines >= SHOWN_LINES || shownBytes + byteLength(shown) > SHOWN_BYTES)) full = true;
      const fits = !full;
      // "\ No newline at end of file" belongs to the line before it: shown only with it.
      const keep = op === "\\" ? current !== null : fits && (op !== "-" || runLength <= RUN_LINES);
      if (keep) {
        if (!current) {
          current = { oldStart: oldLine, oldLines: 0, newStart: newLine, newLines: 0, lines: [] };
          out.push(current);
        }
        current.lines.push(shown);
        if (op !== "+" && op !== "\\") current.oldLines++;
        if (op !== "-" && op !== "\\") current.newLines++;
        shownLines++;
        shownBytes += byteLength(shown) + 1;
      } else {
        if (op !== "\\") omittedLines++;
        current = null;
      }
      if (op !== "+" && op !== "\\") oldLine++;
      if (op !== "-" && op !== "\\") newLine++;
    }
  }
  return { hunks: out, omittedLines };
}
