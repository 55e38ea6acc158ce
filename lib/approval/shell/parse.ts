import mvdanSh from "mvdan-sh";
import type { File } from "./ast";

export type ParseResult = { ok: true; file: File } | { ok: false; error: string };

// One parser for the process: mvdan's parser keeps no state between Parse calls.
const parser = mvdanSh.syntax.NewParser();

/**
 * Parses a command line as bash. mvdan-sh throws Go's *syntax.ParseError as a plain object
 * (with `Text`), not an Error, so both shapes are read for the message.
 */
export function parseShell(src: string): ParseResult {
  try {
    return { ok: true, file: parser.Parse(src, "command") as File };
  } catch (err) {
    const text = (err as { Text?: unknown })?.Text;
    const message = typeof text === "string" ? text : err instanceof Error ? err.message : String(err);
    return { ok: false, error: message };
  }
}
