/**
 * Putting text someone typed (a prompt, an answer, a file name) into a Markdown document so it
 * reads as that text and nothing else: no heading, link, HTML or code fence of its own. Pure.
 */

/**
 * Inline text, on one line, mid-line (never at a line's start, where `#`, `-` or `1.` would
 * matter): the characters that open emphasis, code, links, HTML, entities, table cells or
 * strikethrough are backslash-escaped; the rest stays readable (emails, paths, dots).
 */
export function mdText(text: string): string {
  return oneLine(text).replace(/[\\`*_[\]<>|~!&]/g, (c) => `\\${c}`);
}

/** Inline code (paths, branches, commands): delimited by more backticks than any run inside. */
export function mdCode(text: string): string {
  const line = oneLine(text);
  const fence = "`".repeat(longestRun(line, "`") + 1);
  // A space on each side when the text starts or ends with a backtick or a space (CommonMark strips one).
  const pad = /^[` ]|[` ]$/.test(line) ? " " : "";
  return `${fence}${pad}${line}${pad}${fence}`;
}

/** A block shown as typed (a prompt, an error, a check's output): a fence longer than any backtick run inside. */
export function mdBlock(text: string, info = "text"): string {
  const fence = "`".repeat(Math.max(3, longestRun(text, "`") + 1));
  return `${fence}${info}\n${text.replace(/\r\n?/g, "\n").replace(/\n$/, "")}\n${fence}`;
}

const oneLine = (text: string) => text.replace(/[\r\n]+/g, " ");

function longestRun(text: string, char: string): number {
  let longest = 0;
  let current = 0;
  for (const c of text) {
    current = c === char ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return longest;
}
