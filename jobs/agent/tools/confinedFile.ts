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
 * it does not exist. Opening a file for writing can have an effect (O_CREAT), so unlike a read
 * it is not checked after the fact: its parent folder is opened and checked first, and the
 * file (and each missing folder) is then reached *through that open folder* (like openat),
 * so a folder swapped for a symlink meanwhile cannot redirect it. Refuses a file with other
 * hard links: writing it would change a file that may live outside the workspace.
 */
export async function openForWrite(target: ConfinedPath): Promise<WritableFile> {
  const names = target.exists ? [path.basename(target.real)] : target.missing;
  let folderReal = target.exists ? path.dirname(target.real) : target.ancestorReal;
  let folder = await openCheckedFolder(folderReal, target);
  try {
    for (const name of names.slice(0, -1)) {
      const next = entryPath(folder, folderReal, name);
      await describingFsErrors(target.display, async () => {
        try {
          await fs.mkdir(next);
        } catch (e) {
          // Made meanwhile: fine if it is a folder, which opening it with O_NOFOLLOW proves.
          if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
      });
      const opened = await openCheckedFolder(next, target);
      await folder.close();
      folder = opened;
      folderReal = path.join(folderReal, name);
    }
    const filePath = entryPath(folder, folderReal, names[names.length - 1]!);
    return target.exists ? await openExisting(filePath, target) : await createNew(filePath, target);
  } finally {
    await folder.close();
  }
}

async function openExisting(filePath: string, target: ConfinedPath): Promise<WritableFile> {
  const handle = await describingFsErrors(target.display, () => fs.open(filePath, O_RDWR | O_NOFOLLOW | O_NONBLOCK));
  const stat = await checkOpened(handle, target, "file", filePath);
  if (stat.nlink > 1) {
    await handle.close();
    throw new ToolFailure(`refused: ${target.display} has ${stat.nlink} hard links; writing it would also change the other names`);
  }
  return { handle, created: false, previousSize: stat.size };
}

async function createNew(filePath: string, target: ConfinedPath): Promise<WritableFile> {
  const handle = await describingFsErrors(target.display, async () => {
    try {
      // O_EXCL: never write through something that appeared since the check.
      return await fs.open(filePath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK, 0o666);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      throw new ToolFailure(`${target.display} appeared while it was being created; try again`);
    }
  });
  await checkOpened(handle, target, "file", filePath);
  return { handle, created: true, previousSize: 0 };
}

async function openCheckedFolder(folderPath: string, target: ConfinedPath): Promise<FileHandle> {
  const handle = await describingFsErrors(target.display, () =>
    fs.open(folderPath, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK),
  );
  await checkOpened(handle, target, "folder", folderPath);
  return handle;
}

// Through /proc, `name` is looked up in the very folder that is open, not wherever its path
// points now. Without /proc the path is used and the descriptor checks carry the load.
function entryPath(folder: FileHandle, folderReal: string, name: string): string {
  return PROC_FD ? `${PROC_FD}/${folder.fd}/${name}` : path.join(folderReal, name);
}

/** Replaces the whole content of an open file (written at explicit positions: the handle may have been read). */
export async function replaceContents(handle: FileHandle, data: Buffer): Promise<void> {
  await handle.truncate(0);
  for (let written = 0; written < data.length; ) {
    const { bytesWritten } = await handle.write(data, written, data.length - written, written);
    written += bytesWritten;
  }
}

/** Checks where the descriptor really is and what it is; closes it on refusal. */
async function checkOpened(
  handle: FileHandle,
  target: ConfinedPath,
  expected: "file" | "folder" | "file or folder",
  openedPath: string = target.real,
) {
  try {
    const stat = await handle.stat();
    if (!(await isWhereChecked(handle, target, stat, openedPath))) {
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

async function isWhereChecked(
  handle: FileHandle,
  target: ConfinedPath,
  stat: import("node:fs").Stats,
  openedPath: string,
): Promise<boolean> {
  if (PROC_FD) return isAllowedRealPath(target.workspaceReal, await fs.readlink(`${PROC_FD}/${handle.fd}`));
  const now = await fs.lstat(openedPath);
  return now.dev === stat.dev && now.ino === stat.ino;
}
