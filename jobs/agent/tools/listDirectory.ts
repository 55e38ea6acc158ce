import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { confinePath } from "./confine";
import { openFolder } from "./confinedFile";
import { describingFsErrors } from "./failure";
import type { AgentTool } from "./types";

export const LIST_MAX_ENTRIES = 1000;

const input = z.object({
  path: z.string().optional().describe("Folder path relative to the workspace root (default: the root)"),
});

export const listDirectoryTool: AgentTool<z.infer<typeof input>> = {
  name: "list_directory",
  description:
    "Lists one folder of the workspace (not recursive), sorted by name: folders end with `/`, files show their " +
    `size in bytes, symlinks show their target. At most ${LIST_MAX_ENTRIES} entries. .git is never listed. ` +
    "To find files by content use search; to list recursively use shell (e.g. `git ls-files`).",
  input,
  kind: "read",
  async run({ path: requested = "." }, ctx) {
    const target = await confinePath(ctx.workspace, requested);
    const { handle, entriesPath } = await openFolder(target);
    const lines: string[] = [];
    let total: number;
    try {
      const entries = (await describingFsErrors(target.display, () => fs.readdir(entriesPath, { withFileTypes: true })))
        .filter((entry) => entry.name.toLowerCase() !== ".git")
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      total = entries.length;
      for (const entry of entries.slice(0, LIST_MAX_ENTRIES)) {
        const full = path.join(entriesPath, entry.name);
        lines.push(await describingFsErrors(`${target.display}/${entry.name}`, () => describeEntry(full, entry)));
      }
    } finally {
      await handle.close();
    }
    const header = `${target.display === "." ? "workspace root" : `${target.display}/`}: ${total} entries`;
    if (total === 0) return { ok: true, output: `${header} (empty folder)` };
    const body = [header, ...lines].join("\n");
    if (total <= LIST_MAX_ENTRIES) return { ok: true, output: body };
    return {
      ok: true,
      output: `${body}\n… ${total - LIST_MAX_ENTRIES} more entries not listed; use shell (ls, find) to narrow down`,
      truncated: true,
    };
  },
};

async function describeEntry(full: string, entry: import("node:fs").Dirent): Promise<string> {
  if (entry.isDirectory()) return `${entry.name}/`;
  if (entry.isSymbolicLink()) return `${entry.name} -> ${await fs.readlink(full)}`;
  if (entry.isFile()) return `${entry.name}  ${(await fs.lstat(full)).size} bytes`;
  return `${entry.name}  (special file)`;
}
