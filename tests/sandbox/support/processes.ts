import crypto from "node:crypto";
import fs from "node:fs/promises";

/**
 * Host-side view of processes started in a sandbox. Inside, a process has its PID namespace's
 * numbers (`$!` is meaningless outside), so tests find them on the host by a unique marker in
 * their command line, e.g. `sleep 1000.<digits>`.
 */
export function uniqueSleep(): { command: string; marker: string } {
  const marker = `1000.${crypto.randomInt(1_000_000, 9_999_999)}`;
  return { command: `sleep ${marker}`, marker };
}

export type HostProcess = { pid: number; argv: string[] };

/** Live (not zombie) host processes whose command line contains `marker`. */
export async function hostProcessesWith(marker: string): Promise<HostProcess[]> {
  const found: HostProcess[] = [];
  for (const entry of await fs.readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await fs.readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (!cmdline.includes(marker)) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, "utf8").catch(() => null);
    // A killed process whose parent is gone stays a zombie until reaped: that is dead too.
    if (stat === null || stat.slice(stat.lastIndexOf(")") + 2)[0] === "Z") continue;
    found.push({ pid: Number(entry), argv: cmdline.split("\0").filter(Boolean) });
  }
  return found;
}

/** The `sleep <marker>` process itself (not the shell or bwrap whose arguments mention it). */
export async function sleepProcess(marker: string): Promise<HostProcess | undefined> {
  return (await hostProcessesWith(marker)).find((p) => p.argv[0]?.endsWith("sleep") && p.argv[1] === marker);
}
