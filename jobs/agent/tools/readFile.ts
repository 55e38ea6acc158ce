import { z } from "zod";
import { maskSecrets } from "../../secrets";
import { leadingLines, numberedLine } from "./capping";
import { confinePath } from "./confine";
import { openForRead } from "./confinedFile";
import { ToolFailure } from "./failure";
import type { AgentTool } from "./types";

export const READ_DEFAULT_LINES = 2000;
export const READ_MAX_OUTPUT_BYTES = 100 * 1024;
export const READ_MAX_LINE_CHARS = 2000;
/** Bigger files are not loaded at all; the model can page them with shell (sed -n, head). */
export const READ_MAX_FILE_BYTES = 32 * 1024 * 1024;
// Like git: a NUL byte in the first 8 KB makes a file binary.
const BINARY_SNIFF_BYTES = 8000;

const input = z.object({
  path: z.string().describe("File path relative to the workspace root, e.g. src/index.ts"),
  offset: z.number().int().min(1).optional().describe("First line to show, 1-based (default 1)"),
  limit: z.number().int().min(1).optional().describe(`How many lines to show (default ${READ_DEFAULT_LINES})`),
});

export const readFileTool: AgentTool<z.infer<typeof input>> = {
  name: "read_file",
  description:
    `Reads a text file of the workspace and returns its lines numbered like \`cat -n\` (number, tab, text). ` +
    `Shows ${READ_DEFAULT_LINES} lines from \`offset\` (1-based) unless \`limit\` says otherwise, at most ` +
    `${READ_MAX_OUTPUT_BYTES / 1024} KB; when output is cut, a last line says which offset to read next. ` +
    `Lines longer than ${READ_MAX_LINE_CHARS} characters are cut. Binary files are not shown. ` +
    `For a folder use list_directory; to find where something is, use search.`,
  input,
  kind: "read",
  async run({ path: requested, offset = 1, limit = READ_DEFAULT_LINES }, ctx) {
    const target = await confinePath(ctx.workspace, requested);
    const { handle, stat } = await openForRead(target);
    let data: Buffer;
    try {
      if (stat.isDirectory()) throw new ToolFailure(`${target.display} is a folder; use list_directory to see its entries`);
      if (stat.size > READ_MAX_FILE_BYTES) {
        throw new ToolFailure(
          `${target.display} is ${stat.size} bytes, too big to read (limit ${READ_MAX_FILE_BYTES}); ` +
            `use search, or shell with head/tail/sed -n to see parts of it`,
        );
      }
      data = await handle.readFile();
    } finally {
      await handle.close();
    }
    if (data.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
      return { ok: false, output: `${target.display} is a binary file (${data.length} bytes); not shown` };
    }
    if (data.length === 0) return { ok: true, output: `${target.display} is empty (0 lines)` };

    // Masked before lines are cut, so that a cut can never leave part of a secret behind.
    const lines = maskSecrets(data.toString("utf8"), ctx.secrets).split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    if (offset > lines.length) {
      throw new ToolFailure(`offset ${offset} is past the end of ${target.display}, which has ${lines.length} lines`);
    }
    const wanted = lines
      .slice(offset - 1, offset - 1 + limit)
      .map((line, i) => numberedLine(offset + i, line, READ_MAX_LINE_CHARS));
    const { kept } = leadingLines(wanted, READ_MAX_OUTPUT_BYTES);
    const nextLine = offset + kept.length;
    const remaining = lines.length - (nextLine - 1);
    if (remaining === 0) return { ok: true, output: kept.join("\n") };
    const note = `… ${remaining} more lines; read again with offset=${nextLine}`;
    return { ok: true, output: `${kept.join("\n")}\n${note}`, truncated: true };
  },
};
