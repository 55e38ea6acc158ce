import type { FileHandle } from "node:fs/promises";
import { z } from "zod";
import type { FileChange } from "../../../lib/events";
import { confinePath } from "./confine";
import type { WrittenFile } from "../../git/knownFiles";
import { openForWrite, replaceContents } from "./confinedFile";
import { fileChangeOf, MAX_DIFFED_BYTES } from "./fileChange";
import { writtenFile } from "./writtenFile";
import type { AgentTool } from "./types";

const input = z.object({
  path: z.string().describe("File path relative to the workspace root, e.g. src/util/math.ts"),
  content: z.string().describe("The complete new content of the file"),
});

export const writeFileTool: AgentTool<z.infer<typeof input>> = {
  name: "write_file",
  description:
    "Writes a whole file of the workspace: creates it (and its missing parent folders) or replaces its content " +
    "entirely. To change part of an existing file prefer edit_file, which needs only the changed text. " +
    "Paths inside .git, outside the workspace or through symlinks leading out are refused.",
  input,
  kind: "write",
  async run({ path: requested, content }, ctx) {
    const target = await confinePath(ctx.workspace, requested);
    const data = Buffer.from(content, "utf8");
    const { handle, created, previousSize } = await openForWrite(target);
    let written: WrittenFile;
    let fileChange: FileChange | undefined;
    try {
      const before = created ? null : await previousText(handle, previousSize);
      await replaceContents(handle, data);
      written = await writtenFile(target, handle, data);
      if (before !== undefined) fileChange = fileChangeOf(target.display, before, content, ctx.secrets);
    } finally {
      await handle.close();
    }
    const output = created
      ? `created ${target.display} (${data.length} bytes)`
      : `updated ${target.display} (${data.length} bytes, was ${previousSize})`;
    return { ok: true, output, written: [written], ...(fileChange ? { fileChange } : {}) };
  },
};

/** The file's content before the write, for the feed's diff; undefined when too large or not text. */
async function previousText(handle: FileHandle, size: number): Promise<string | undefined> {
  if (size > MAX_DIFFED_BYTES) return undefined;
  const data = await handle.readFile();
  const text = data.toString("utf8");
  // Invalid UTF-8 (a binary file): a line diff of replacement characters would mislead.
  return Buffer.from(text, "utf8").equals(data) ? text : undefined;
}
