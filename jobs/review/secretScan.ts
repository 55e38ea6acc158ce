import type { SecretFinding } from "../../lib/events";
import { maskPatterns, type SecretPattern } from "./secretPatterns";

/** Enough to show a reviewer what to fix; a diff full of one secret need not list every line. */
export const MAX_FINDINGS = 50;

/** Added lines are searched in blocks of about this many bytes (one huge file stays bounded). */
const BLOCK_BYTES = 1024 * 1024;

/**
 * Finds known secrets in the added lines of a unified diff (`git diff -U0 --text`), read as
 * latin1 lines. Consecutive added lines are searched joined without their line breaks, so an
 * encoding wrapped over several lines (`base64` wraps at 76 columns) is still found; a match
 * is reported at the line where it starts. File names are searched too (line 0).
 */
export class DiffSecretScanner {
  private readonly findings = new Map<string, SecretFinding>();
  private readonly longest: number;
  private file: string | null = null;
  private newLine = 0;
  private oldLeft = 0;
  private newLeft = 0;
  private block: { line: number; text: string }[] = [];
  private blockBytes = 0;

  constructor(private readonly patterns: readonly SecretPattern[]) {
    this.longest = Math.max(0, ...patterns.map((p) => p.bytes.length));
  }

  get full(): boolean {
    return this.findings.size >= MAX_FINDINGS;
  }

  /** One line of the diff, without its `\n`. */
  line(text: string): void {
    if (this.oldLeft > 0 || this.newLeft > 0) {
      this.hunkLine(text);
      return;
    }
    if (text.startsWith("diff --git ")) {
      this.endFile();
      this.file = null;
      this.setFile(symmetricGitPath(text.slice("diff --git ".length)));
    } else if (text.startsWith("+++ ")) {
      const target = text.slice(4);
      if (target !== "/dev/null") this.setFile(stripPrefix(unquote(target)));
    } else if (text.startsWith("rename to ") || text.startsWith("copy to ")) {
      this.setFile(unquote(text.slice(text.indexOf(" to ") + 4)));
    } else if (text.startsWith("@@ ")) {
      const m = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(text);
      if (!m) throw new Error(`unreadable hunk header in the diff: ${text.slice(0, 80)}`);
      this.oldLeft = m[1] === undefined ? 1 : Number(m[1]);
      this.newLine = Number(m[2]);
      this.newLeft = m[3] === undefined ? 1 : Number(m[3]);
    }
    // Anything else is a header line (index, mode, "\ No newline at end of file"): no content.
  }

  /** One diff is over; another may follow (each commit of a branch). */
  endDiff(): void {
    this.endFile();
    this.file = null;
  }

  /** Every diff is over: what was found, in diff order. */
  end(): SecretFinding[] {
    this.endDiff();
    return [...this.findings.values()];
  }

  private hunkLine(text: string): void {
    const kind = text[0];
    if (kind === "+") {
      this.added(this.newLine, text.slice(1));
      this.newLine++;
      this.newLeft--;
    } else if (kind === "-") {
      this.oldLeft--;
    } else if (kind === " ") {
      this.endBlock();
      this.newLine++;
      this.newLeft--;
      this.oldLeft--;
    }
    // "\ No newline at end of file" belongs to the line before it.
  }

  private setFile(latin1Path: string | null): void {
    if (latin1Path === null) return;
    this.file = toUtf8(maskPatterns(latin1Path, this.patterns));
    for (const { secret, bytes } of this.patterns) {
      if (latin1Path.includes(bytes)) this.record(0, secret);
    }
  }

  private added(line: number, text: string): void {
    const last = this.block[this.block.length - 1];
    if (last && last.line !== line - 1) this.endBlock();
    this.block.push({ line, text });
    this.blockBytes += text.length;
    if (this.blockBytes >= BLOCK_BYTES) this.searchBlock(false);
  }

  private endFile(): void {
    this.endBlock();
    this.oldLeft = 0;
    this.newLeft = 0;
  }

  private endBlock(): void {
    if (this.block.length > 0) this.searchBlock(true);
  }

  // Searches the block; unless it ended, keeps its last lines (up to one pattern's length) so
  // a match that continues into the next lines is still seen whole. Repeats are de-duplicated.
  private searchBlock(ended: boolean): void {
    const starts: number[] = [];
    let joined = "";
    for (const { text } of this.block) {
      starts.push(joined.length);
      joined += text;
    }
    for (const { secret, bytes } of this.patterns) {
      for (let at = joined.indexOf(bytes); at !== -1; at = joined.indexOf(bytes, at + 1)) {
        this.record(this.block[lineIndexAt(starts, at)]!.line, secret);
      }
    }
    if (ended) {
      this.block = [];
      this.blockBytes = 0;
      return;
    }
    let keep = 0;
    for (let i = this.block.length - 1, size = 0; i >= 0 && size < this.longest; i--) {
      size += this.block[i]!.text.length;
      keep++;
    }
    this.block = this.block.slice(this.block.length - keep);
    this.blockBytes = this.block.reduce((n, l) => n + l.text.length, 0);
  }

  private record(line: number, secret: string): void {
    const file = this.file ?? "(unknown file)";
    const key = `${file}\0${line}\0${secret}`;
    if (!this.findings.has(key) && !this.full) this.findings.set(key, { file, line, secret });
  }
}

/** Index of the line whose text contains offset `at` of the joined block. */
function lineIndexAt(starts: number[], at: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// "a/x b/x" names the file only when both sides are the same path (no rename); a rename's
// "rename to" line names it instead. New empty files have no "+++" line, only this one.
function symmetricGitPath(rest: string): string | null {
  if (rest.startsWith('"')) {
    const close = closingQuote(rest);
    const left = unquote(rest.slice(0, close + 1));
    const right = unquote(rest.slice(close + 2));
    return left.slice(2) === right.slice(2) ? right.slice(2) : null;
  }
  if ((rest.length - 5) % 2 !== 0) return null;
  const length = (rest.length - 5) / 2;
  const left = rest.slice(2, 2 + length);
  return rest === `a/${left} b/${left}` ? left : null;
}

function closingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}

function stripPrefix(path: string): string {
  return path.startsWith("b/") ? path.slice(2) : path;
}

const ESCAPES: Record<string, string> = { a: "\x07", b: "\b", t: "\t", n: "\n", v: "\v", f: "\f", r: "\r", '"': '"', "\\": "\\" };

/** Git's C-style quoting of unusual file names ("tab\there", octal bytes for the rest). */
function unquote(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) return text;
  const body = text.slice(1, -1);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = body[i + 1] ?? "";
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1));
    if (octal) {
      out += String.fromCharCode(parseInt(octal[0], 8));
      i += 3;
    } else {
      out += ESCAPES[next] ?? next;
      i += 1;
    }
  }
  return out;
}

function toUtf8(latin1: string): string {
  return Buffer.from(latin1, "latin1").toString("utf8");
}
