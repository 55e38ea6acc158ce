import { constants, existsSync } from "node:fs";
import fs, { type FileHandle } from "node:fs/promises";
import path from "node:path";
import { isAllowedRealPath, type ConfinedPath } from "./confine";
import { describingFsErrors, ToolFailure } from "./failure";

/**
 * Opens a path `confinePath` accepted without trusting that it is still the same thing: the
 * final component is opened with O_NOFOLLOW (a symlink swapped in after the check fails with
 * ELOOP), and once open, the real location of the descriptor is checked again, which also
 * catches a parent folder swapped for a symlink. O_NONBLOCK so a FIFO cannot hang the tool;
 * anything but a regular file (or folder, where asked for) is then refused.
 */
const { O_RDONLY, O_RDWR, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;

// Linux names the file behind a descriptor in /proc; elsewhere (macOS in development) the
// descriptor's inode is compared with the checked path's instead.
const PROC_FD = existsSync("/proc/self/fd") ? "/proc/self/fd" : null;

/** An existing regular file or folder, open for reading. */
export async function openForRead(target: ConfinedPath): Promise<{ handle: FileHandle; stat: import("node:fs").Stats }> {
  if (!target.exists) throw new ToolFailure(`${target.display}: not found`);
  const handle = await describingFsErrors(target.display, () => fs.open(target.real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK));
  return { handle, stat: await checkOpened(handle, target, "file or folder") };
}

/** An existing folder, open, and a path through which its entries can be read. */
export async function openFolder(target: ConfinedPath): Promise<{ handle: FileHandle; entriesPath: string }> {
  if (!target.exists) throw new ToolFailure(`${target.display}: not found`);
  const handle = await describingFsErrors(target.display, () =>
    fs.open(target.real, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK),
  );
  await checkOpened(handle, target, "folder");
  // Through /proc the very folder that was checked is read, whatever its path points at now.
  return { handle, entriesPath: PROC_FD ? `${PROC_FD}/${handle.fd}` : target.real };
}

export type WritableFile = { handle: FileHandle; created: boolean; previousSize: number };

/**
 * A regular file open for reading and writing, created (with its missing parent folders) when
 * it does not exist. Refuses a file with other hard links: writing it would change a file that
 * may live outside the workspace.
 */
export async function openForWrite(target: ConfinedPath): Promise<WritableFile> {
  if (target.exists) {
    const handle = await describingFsErrors(target.display, () => fs.open(target.real, O_RDWR | O_NOFOLLOW | O_NONBLOCK));
    const stat = await checkOpened(handle, target, "file");
    if (stat.nlink > 1) {
      await handle.close();
      throw new ToolFailure(
        `refused: ${target.display} has ${stat.nlink} hard links; writing it would also change the other names`,
      );
    }
    return { handle, created: false, previousSize: stat.size };
  }
  await createMissingFolders(target);
  const handle = await describingFsErrors(target.display, async () => {
    try {
      // O_EXCL: never write through something that appeared since the check.
      return await fs.open(target.real, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK, 0o666);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      throw new ToolFailure(`${target.display} appeared while it was being created; try again`);
    }
  });
  await checkOpened(handle, target, "file");
  return { handle, created: true, previousSize: 0 };
}

/** Replaces the whole content of an open file (written at explicit positions: the handle may have been read). */
export async function replaceContents(handle: FileHandle, data: Buffer): Promise<void> {
  await handle.truncate(0);
  for (let written = 0; written < data.length; ) {
    const { bytesWritten } = await handle.write(data, written, data.length - written, written);
    written += bytesWritten;
  }
}

// One folder at a time, without following anything: a symlink found where a missing folder
// should be is refused (the descriptor check after opening the file covers any later swap).
async function createMissingFolders(target: ConfinedPath): Promise<void> {
  let dir = target.ancestorReal;
  for (const name of target.missing.slice(0, -1)) {
    dir = path.join(dir, name);
    await describingFsErrors(target.display, async () => {
      try {
        await fs.mkdir(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        const stat = await fs.lstat(dir);
        if (!stat.isDirectory()) throw new ToolFailure(`refused: ${target.display}: ${name} changed while folders were being created`);
      }
    });
  }
}

/** Checks where the descriptor really is and what it is; closes it on refusal. */
async function checkOpened(handle: FileHandle, target: ConfinedPath, expected: "file" | "folder" | "file or folder") {
  try {
    const stat = await handle.stat();
    if (!(await isWhereChecked(handle, target, stat))) {
      throw new ToolFailure(
        `refused: ${target.display} changed while it was being opened (a symlink was swapped in?); try again`,
      );
    }
    const isExpected =
      expected === "file" ? stat.isFile() : expected === "folder" ? stat.isDirectory() : stat.isFile() || stat.isDirectory();
    if (!isExpected) {
      const what = stat.isDirectory() ? "a folder" : "not a regular file (device, FIFO or socket)";
      throw new ToolFailure(`${target.display} is ${what}; expected a ${expected}`);
    }
    return stat;
  } catch (e) {
    await handle.close();
    throw e;
  }
}

async function isWhereChecked(handle: FileHandle, target: ConfinedPath, stat: import("node:fs").Stats): Promise<boolean> {
  if (PROC_FD) return isAllowedRealPath(target.workspaceReal, await fs.readlink(`${PROC_FD}/${handle.fd}`));
  const now = await fs.lstat(target.real);
  return now.dev === stat.dev && now.ino === stat.ino;
}
