import { z } from "zod";
import { confinePath } from "./confine";
import type { WrittenFile } from "../../git/knownFiles";
import { openForWrite, replaceContents } from "./confinedFile";
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
    try {
      await replaceContents(handle, data);
      written = await writtenFile(target, handle, data);
    } finally {
      await handle.close();
    }
    const output = created
      ? `created ${target.display} (${data.length} bytes)`
      : `updated ${target.display} (${data.length} bytes, was ${previousSize})`;
    return { ok: true, output, written: [written] };
  },
};
