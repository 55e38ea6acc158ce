import path from "node:path";

/**
 * Where the database lives: embedded PGlite (a folder, or memory) or a PostgreSQL server. Apart
 * from lib/db/client.ts so that knowing where costs nothing: the client module loads PGlite,
 * Drizzle and pg (~47 MiB), which `npm start`'s long-lived supervisor has no use for.
 */
export type DbTarget =
  | { kind: "pglite"; dir: string | null }
  | { kind: "postgres"; url: string };

export function dbTargetFromConfig(config: { databaseUrl?: string; dataDir: string }): DbTarget {
  return config.databaseUrl
    ? { kind: "postgres", url: config.databaseUrl }
    : { kind: "pglite", dir: path.join(config.dataDir, "pgdata") };
}
