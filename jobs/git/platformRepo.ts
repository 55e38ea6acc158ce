import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

/**
 * The config of a repository the platform owns (a mirror, a run's repository): written whole
 * by the platform, never edited in place, so nothing another process put there survives.
 * Nothing in it executes or redirects; remote URLs are never stored (every fetch and push
 * names the registered URL).
 */
const PLATFORM_CONFIG = `[core]
\trepositoryformatversion = 0
\tfilemode = true
\tbare = true
\tlogallrefupdates = false
[gc]
\tauto = 0
`;

export async function writePlatformConfig(gitDir: string): Promise<void> {
  await writeFileAtomic(path.join(gitDir, "config"), PLATFORM_CONFIG);
}

/** Points a repository's object lookups at other object stores (read only: git never writes there). */
export async function writeAlternates(gitDir: string, objectDirs: string[]): Promise<void> {
  await fs.mkdir(path.join(gitDir, "objects", "info"), { recursive: true });
  await writeFileAtomic(path.join(gitDir, "objects", "info", "alternates"), objectDirs.map((d) => `${d}\n`).join(""));
}

// Renamed into place: a concurrent git (another job process) reads the old file or the new one, never half of one.
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const tmp = `${file}.${crypto.randomUUID()}.tmp`;
  await fs.writeFile(tmp, content, { mode: 0o644 });
  await fs.rename(tmp, file);
}
