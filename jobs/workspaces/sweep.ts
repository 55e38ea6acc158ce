import type { RunFolder } from "./inventory";

/**
 * Which left-over run workspaces the automatic cleanup removes: every one not changed for
 * `maxAgeHours`, then the oldest while all run workspaces (active ones included: they take the
 * disk too) measure more than `maxBytes`. A run that is active or suspended here is never
 * chosen, even when that leaves the total above the limit.
 */
export type SweepLimits = { maxAgeHours: number; maxBytes: number };

export function chooseSweep(runs: RunFolder[], limits: SweepLimits, now = Date.now()): { folder: RunFolder; why: "age" | "size" }[] {
  const oldest = now - limits.maxAgeHours * 3600_000;
  const leftOver = runs.filter((r) => r.state === "left-over").sort((a, b) => a.lastUsedAt.localeCompare(b.lastUsedAt));
  let total = runs.reduce((sum, r) => sum + r.bytes, 0);
  const chosen: { folder: RunFolder; why: "age" | "size" }[] = [];
  for (const folder of leftOver) {
    const tooOld = Date.parse(folder.lastUsedAt) < oldest;
    if (!tooOld && total <= limits.maxBytes) break;
    chosen.push({ folder, why: tooOld ? "age" : "size" });
    total -= folder.bytes;
  }
  return chosen;
}
