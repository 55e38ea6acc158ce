import { existsSync } from "node:fs";
import fs, { type FileHandle } from "node:fs/promises";
import { repositoryPath, type WrittenFile } from "../../git/knownFiles";
import type { ConfinedPath } from "./confine";

const PROC_FD = existsSync("/proc/self/fd") ? "/proc/self/fd" : null;

/**
 * What a file tool wrote, for the checkpoint to commit without reading the workspace: the
 * file's path in the repository (where the open descriptor really is, which opening checked
 * is inside the workspace), its content and whether git records it as executable.
 */
export async function writtenFile(target: ConfinedPath, handle: FileHandle, content: Buffer): Promise<WrittenFile> {
  const real = PROC_FD ? await fs.readlink(`${PROC_FD}/${handle.fd}`) : target.real;
  const { mode } = await handle.stat();
  // Git's rule (core.fileMode): executable when the owner may execute it.
  return { path: repositoryPath(target.workspaceReal, real), content, executable: (mode & 0o100) !== 0 };
}
