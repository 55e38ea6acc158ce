import { z } from "zod";
import { numberedLine } from "./capping";
import { confinePath } from "./confine";
import type { WrittenFile } from "../../git/knownFiles";
import { openForWrite, replaceContents } from "./confinedFile";
import { writtenFile } from "./writtenFile";
import { ToolFailure } from "./failure";
import type { AgentTool } from "./types";

/** Lines shown before and after the changed text, so the model sees the result in context. */
const SNIPPET_CONTEXT_LINES = 3;
const SNIPPET_MAX_LINES = 40;
const SNIPPET_MAX_LINE_CHARS = 300;

const input = z.object({
  path: z.string().describe("File path relative to the workspace root"),
  old_string: z.string().describe("The exact text to replace, whitespace and indentation included"),
  new_string: z.string().describe("The text to put in its place"),
  replace_all: z.boolean().optional().describe("Replace every occurrence (default: old_string must occur exactly once)"),
});

export const editFileTool: AgentTool<z.infer<typeof input>> = {
  name: "edit_file",
  description:
    "Replaces exact text in an existing file of the workspace. old_string must match the file exactly " +
    "(whitespace and indentation included; read_file's line-number prefix is not part of the file) and occur " +
    "exactly once, unless replace_all is true; include a few surrounding lines to make it unique. " +
    "Returns the changed region with line numbers. To create a file use write_file.",
  input,
  kind: "write",
  async run({ path: requested, old_string: oldString, new_string: newString, replace_all: replaceAll = false }, ctx) {
    if (oldString === "") throw new ToolFailure("old_string is empty; to create or overwrite a whole file use write_file");
    if (oldString === newString) throw new ToolFailure("old_string and new_string are the same; nothing to change");
    const target = await confinePath(ctx.workspace, requested);
    if (!target.exists) throw new ToolFailure(`${target.display}: not found; to create a file use write_file`);

    const { handle } = await openForWrite(target);
    let updated: string;
    let count: number;
    let firstAt: number;
    let written: WrittenFile;
    try {
      const data = await handle.readFile();
      const text = data.toString("utf8");
      // Decoding replaced invalid bytes: writing it back would corrupt the file.
      if (!Buffer.from(text, "utf8").equals(data)) {
        throw new ToolFailure(`${target.display} is not valid UTF-8 text; edit it with shell instead`);
      }
      const pieces = text.split(oldString);
      count = pieces.length - 1;
      if (count === 0) {
        throw new ToolFailure(
          `old_string was not found in ${target.display}; read the file again and copy the text exactly (whitespace included)`,
        );
      }
      if (count > 1 && !replaceAll) {
        throw new ToolFailure(
          `old_string occurs ${count} times in ${target.display}; add surrounding lines to make it unique, or set replace_all`,
        );
      }
      firstAt = pieces[0]!.length;
      // split/join rather than String.replace: `$&` and friends in new_string stay literal.
      updated = pieces.join(newString);
      const content = Buffer.from(updated, "utf8");
      await replaceContents(handle, content);
      written = await writtenFile(target, handle, content);
    } finally {
      await handle.close();
    }
    const what = count === 1 ? "replaced 1 occurrence" : `replaced ${count} occurrences (first shown)`;
    return { ok: true, output: `${what} in ${target.display}:\n${snippet(updated, firstAt, newString.length)}`, written: [written] };
  },
};

/** Numbered lines around [start, start + length) of `text`. */
function snippet(text: string, start: number, length: number): string {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const firstLine = text.slice(0, start).split("\n").length;
  // A replacement ending in a newline ends on its last line, not on the one after it.
  const changed = text.slice(start, start + length).replace(/\n$/, "");
  const lastLine = firstLine + changed.split("\n").length - 1;
  const from = Math.max(1, firstLine - SNIPPET_CONTEXT_LINES);
  const to = Math.min(lines.length, lastLine + SNIPPET_CONTEXT_LINES, from + SNIPPET_MAX_LINES - 1);
  const shown = lines.slice(from - 1, to).map((line, i) => numberedLine(from + i, line, SNIPPET_MAX_LINE_CHARS));
  if (to < lastLine + SNIPPET_CONTEXT_LINES && to < lines.length) shown.push("     …");
  return shown.join("\n");
}
