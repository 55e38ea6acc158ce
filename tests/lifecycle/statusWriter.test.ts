import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * One writer of `run.status`: the projection of events (lib/projection.ts). Everything else
 * appends events. This reads every source file of both processes and the web and finds each
 * UPDATE of the run table (Drizzle's `.update(run)…set(…)` or SQL text) that sets a status.
 */
const root = path.resolve(import.meta.dirname, "../..");
const scanned = ["app", "components", "lib", "jobs", "scripts", "instrumentation.ts", "proxy.ts"];
const theWriter = "lib/projection.ts";

function sourceFiles(entry: string): string[] {
  const full = path.join(root, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return /\.(ts|tsx|mjs|js)$/.test(entry) ? [entry] : [];
  return fs.readdirSync(full).flatMap((name) => (name === "node_modules" ? [] : sourceFiles(path.join(entry, name))));
}

/** Each place in `text` that writes a run's status, as a short excerpt. */
function statusWrites(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\.update\(\s*run\s*\)([\s\S]*?)\.(?:where|returning)\(/g)) {
    if (/\bstatus\b/.test(m[1]!)) found.push(m[0].replace(/\s+/g, " ").slice(0, 120));
  }
  for (const m of text.matchAll(/update\s+"?run"?\s+set\s[^;`]*?\bstatus\s*=/gi)) found.push(m[0].slice(0, 120));
  return found;
}

describe("the writer of run.status", () => {
  it("finds a status write where there is one (the detector works)", () => {
    expect(statusWrites(`await tx.update(run).set({ status: "awaiting_review", updatedAt: new Date() }).where(eq(run.id, id));`)).toHaveLength(1);
    expect(statusWrites(`await tx\n  .update(run)\n  .set({ ...changes, status })\n  .where(eq(run.id, id));`)).toHaveLength(1);
    expect(statusWrites("await db.execute(sql`update run set status = 'failed' where id = ${id}`)")).toHaveLength(1);
    expect(statusWrites(`await db.update(run).set({ cancelRequestedAt: now }).where(eq(run.id, id));`)).toEqual([]);
  });

  it("is the projection alone", () => {
    const files = scanned.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(100);
    const writers = files.filter((f) => statusWrites(fs.readFileSync(path.join(root, f), "utf8")).length > 0);
    expect(writers).toEqual([theWriter]);
  });

  it("declares the statuses and sets of them once: the lifecycle contract", () => {
    const status = "\"(?:waiting_dependencies|queued|running|waiting_input|awaiting_review|pushing|pushed|completed|failed|cancelled|discarded)\"";
    // A list or set of two or more run statuses written out: a status set declared again.
    const statusList = new RegExp(`\\[\\s*${status}(?:\\s*,\\s*${status})+\\s*,?\\s*\\]`);
    expect(statusList.test(`new Set(["queued", "running"])`)).toBe(true);
    const declaring = scanned.flatMap(sourceFiles).filter((f) => statusList.test(fs.readFileSync(path.join(root, f), "utf8")));
    expect(declaring).toEqual(["lib/contracts/runLifecycle.ts"]);
  });
});
