import fs from "node:fs/promises";
import path from "node:path";

/**
 * How much disk a folder takes, measured like `du` (sizes of everything but folders, symlinks
 * not followed, a hard-linked file once) and when anything in it last changed, in bounded
 * time: a walk that runs past its budget stops and says it is partial, so a huge workspace
 * never holds up a report. Figures are kept for a while (the report and the sweep ask every
 * round; the folders change slowly).
 */
export type DiskUse = {
  bytes: number;
  files: number;
  /** The walk stopped at its time budget: the figures are at least this. */
  partial: boolean;
  /** Epoch ms: the newest modification time of the folder or anything in it. */
  lastModifiedMs: number;
};

export const WALK_BUDGET_MS = 2_000;
export const DISK_USE_TTL_MS = 60_000;

export async function measureDiskUse(dir: string, budgetMs = WALK_BUDGET_MS): Promise<DiskUse> {
  const deadline = Date.now() + budgetMs;
  const root = await fs.lstat(dir);
  const use: DiskUse = { bytes: 0, files: 0, partial: false, lastModifiedMs: root.mtimeMs };
  const seen = new Set<string>();
  const pending = [dir];
  while (pending.length > 0) {
    if (Date.now() > deadline) {
      use.partial = true;
      break;
    }
    const current = pending.pop()!;
    const names = await fs.readdir(current).catch(() => [] as string[]);
    // Stat a folder's entries together; the walk itself goes one folder at a time.
    const stats = await Promise.all(names.map((name) => fs.lstat(path.join(current, name)).then((s) => ({ name, s }), () => null)));
    for (const entry of stats) {
      if (!entry) continue; // removed meanwhile
      const { name, s } = entry;
      use.lastModifiedMs = Math.max(use.lastModifiedMs, s.mtimeMs);
      if (s.isDirectory()) {
        pending.push(path.join(current, name));
        continue;
      }
      if (s.nlink > 1) {
        const inode = `${s.dev}:${s.ino}`;
        if (seen.has(inode)) continue;
        seen.add(inode);
      }
      use.files += 1;
      use.bytes += s.size;
    }
  }
  return use;
}

/** measureDiskUse, remembered per folder for `ttlMs`; `forget` after a folder is deleted or changed on purpose. */
export function createDiskUseCache(o: { ttlMs?: number; budgetMs?: number; now?: () => number } = {}) {
  const ttl = o.ttlMs ?? DISK_USE_TTL_MS;
  const now = o.now ?? Date.now;
  const known = new Map<string, { use: DiskUse; at: number }>();
  return {
    async measure(dir: string): Promise<DiskUse> {
      const hit = known.get(dir);
      if (hit && now() - hit.at < ttl) return hit.use;
      const use = await measureDiskUse(dir, o.budgetMs);
      known.set(dir, { use, at: now() });
      return use;
    },
    forget(dir: string): void {
      known.delete(dir);
    },
    /** Drops figures of folders not asked about in this round (they are gone). */
    keepOnly(dirs: Iterable<string>): void {
      const keep = new Set(dirs);
      for (const dir of known.keys()) if (!keep.has(dir)) known.delete(dir);
    },
  };
}
export type DiskUseCache = ReturnType<typeof createDiskUseCache>;
