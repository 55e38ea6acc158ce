/**
 * A failure the model caused or can fix (missing file, refused path, no match…). `runTool`
 * turns it into an `ok:false` result; anything else thrown by a tool is a bug or an abort and
 * goes up to the loop.
 */
export class ToolFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolFailure";
  }
}

// File system errors that describe the workspace's state rather than a bug of ours.
const FS_FAILURES: Record<string, string> = {
  ENOENT: "not found",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "is a folder, not a file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ELOOP: "too many symlinks, or a symlink appeared where none may be",
  ENAMETOOLONG: "name too long",
  ENOSPC: "no space left on the device",
  EROFS: "read-only file system",
  EEXIST: "already exists",
  ENXIO: "not a regular file (no reader on the other end)",
  EFBIG: "file too large",
};

/** Runs `fn`; a file system error from the list above becomes a ToolFailure about `displayPath`. */
export async function describingFsErrors<T>(displayPath: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw asToolFailure(e, displayPath) ?? e;
  }
}

/** The ToolFailure for a file system error from the list above, else null. */
export function asToolFailure(e: unknown, displayPath: string): ToolFailure | null {
  if (e instanceof ToolFailure) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const meaning = code === undefined ? undefined : FS_FAILURES[code];
  return meaning === undefined ? null : new ToolFailure(`${displayPath}: ${meaning} (${code})`);
}
