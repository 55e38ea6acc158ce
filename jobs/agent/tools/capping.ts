import { firstBytes, lastBytes } from "../../output";

/**
 * Output caps: what the model gets back must stay small (it is paid for per token and sent
 * again every turn), and a cut is always said, with how much was left out.
 */

export const byteLength = (text: string): number => Buffer.byteLength(text, "utf8");

/** Cuts one over-long line (a minified file, a data blob) so it cannot fill the whole output. */
export function capLine(line: string, maxChars: number): string {
  return line.length <= maxChars ? line : `${line.slice(0, maxChars)}… (${line.length - maxChars} more characters on this line)`;
}

/** The leading lines that fit in `maxBytes` (each plus its newline); `cut` = how many did not. */
export function leadingLines(lines: readonly string[], maxBytes: number): { kept: string[]; cut: number } {
  let bytes = 0;
  let count = 0;
  for (const line of lines) {
    bytes += byteLength(line) + 1;
    if (bytes > maxBytes) break;
    count++;
  }
  return { kept: lines.slice(0, count), cut: lines.length - count };
}

/**
 * Keeps the beginning and the end of a stream of text and counts what falls between: a
 * command's first lines say what it did, its last lines how it ended.
 */
export class HeadTailText {
  private head = "";
  private headBytes = 0;
  private tail = "";
  private tailSideBytes = 0;

  constructor(
    private readonly headLimit: number,
    private readonly tailLimit: number,
  ) {}

  push(text: string): void {
    let rest = text;
    if (this.headBytes < this.headLimit) {
      const taken = firstBytes(rest, this.headLimit - this.headBytes);
      this.head += taken;
      this.headBytes += byteLength(taken);
      rest = rest.slice(taken.length);
      // firstBytes may stop short of a multi-byte character; the head is full then.
      if (rest.length > 0) this.headBytes = this.headLimit;
    }
    if (rest.length === 0) return;
    this.tailSideBytes += byteLength(rest);
    this.tail = lastBytes(this.tail + rest, this.tailLimit);
  }

  result(): { text: string; truncated: boolean } {
    const cut = this.tailSideBytes - byteLength(this.tail);
    if (cut === 0) return { text: this.head + this.tail, truncated: false };
    return { text: `${this.head}\n… ${cut} bytes cut …\n${this.tail}`, truncated: true };
  }
}

/** One line as read_file shows it (like `cat -n`): number right-aligned, a tab, the text cut to `maxChars`. */
export function numberedLine(lineNumber: number, text: string, maxChars: number): string {
  return `${String(lineNumber).padStart(6)}\t${capLine(text, maxChars)}`;
}
