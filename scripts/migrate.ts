import { ConfigError, loadConfig } from "../lib/config";
import { dbTargetFromConfig, openDatabase } from "../lib/db/client";

/**
 * Applies the database migrations and exits. scripts/start.ts runs this as a short-lived child
 * rather than in its own process: opening embedded PGlite (initdb on a first start) leaves
 * hundreds of MiB resident that `close()` does not give back, and the supervisor lives as long as
 * AgentDesk does (measured: ~870 MiB on a first start, ~45 MiB without).
 */
async function main(): Promise<void> {
  const database = openDatabase(dbTargetFromConfig(loadConfig()));
  try {
    await database.migrate();
  } finally {
    // PGlite allows one process at a time: the web opens it next.
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : (err as Error).message);
    process.exit(1);
  },
);
