import { spawnSync } from "node:child_process";

/**
 * Node flags for the web server process. `--liftoff-only`: embedded PGlite is a 9 MB WASM module;
 * by default V8 compiles its hot functions a second time with TurboFan, in background threads,
 * and keeps both versions. Liftoff's code alone left the web 31 MiB smaller idle, 53 MiB smaller
 * after the main pages and 45 MiB smaller under 500 SSE viewers (bench/webMemory.ts, 2-core
 * machine), and PGlite's own inserts and selects ran no slower there: the second compile
 * competes with the queries for the CPU. It changes which compiler runs, not what the code does.
 */
export const WEB_NODE_FLAGS = ["--liftoff-only"] as const;

/**
 * The flags this node accepts. They are V8's, and V8 may rename one in a later Node; an unknown
 * flag stops node before it starts, so each is tried once in a throwaway `node <flag> -e ""`.
 */
export function acceptedNodeFlags(flags: readonly string[], node = process.execPath): string[] {
  return flags.filter((flag) => spawnSync(node, [flag, "-e", ""], { stdio: "ignore", timeout: 10_000 }).status === 0);
}
