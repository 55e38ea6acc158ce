import fs from "node:fs";
import path from "node:path";

/** What `next build` reads: a change to any of these makes the last build stale. */
const BUILD_INPUTS = ["app", "components", "lib", "public"];
const BUILD_INPUT_FILES =
  /^(next\.config\.(ts|js|mjs)|package-lock\.json|package\.json|tsconfig\.json|(tailwind|postcss)\.config\.(ts|js|mjs|cjs))$/;
// Tests sit beside the code in lib/ but are not part of the app.
const NOT_BUILD_INPUT = /\.test\.(ts|tsx)$/;

function newestIn(dir: string): { file: string; mtimeMs: number } | null {
  let newest: { file: string; mtimeMs: number } | null = null;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    let candidate: { file: string; mtimeMs: number } | null = null;
    if (entry.isDirectory()) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      candidate = newestIn(full);
    } else if (entry.isFile() && !NOT_BUILD_INPUT.test(entry.name)) {
      candidate = { file: full, mtimeMs: fs.statSync(full).mtimeMs };
    }
    if (candidate && (!newest || candidate.mtimeMs > newest.mtimeMs)) newest = candidate;
  }
  return newest;
}

/** Why a build is needed (for the log line), or null when `.next` is up to date. */
export function buildReason(root: string): string | null {
  let builtAt: number;
  try {
    builtAt = fs.statSync(path.join(root, ".next", "BUILD_ID")).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "no build yet";
    throw err;
  }
  const candidates = [
    ...BUILD_INPUTS.map((d) => newestIn(path.join(root, d))),
    ...fs
      .readdirSync(root)
      .filter((name) => BUILD_INPUT_FILES.test(name))
      .map((name) => ({ file: path.join(root, name), mtimeMs: fs.statSync(path.join(root, name)).mtimeMs })),
  ];
  const changed = candidates.find((c) => c && c.mtimeMs > builtAt);
  return changed ? `${path.relative(root, changed.file)} changed since the last build` : null;
}
