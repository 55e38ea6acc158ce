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
  const file = path.join(gitDir, "config");
  // Renamed into place: a concurrent git reads the old file or the new one, never half of one.
  const tmp = `${file}.${crypto.randomUUID()}.tmp`;
  await fs.writeFile(tmp, PLATFORM_CONFIG, { mode: 0o644 });
  await fs.rename(tmp, file);
}
