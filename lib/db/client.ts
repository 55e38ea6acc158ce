import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { schema } from "./schema";
import type { DbTarget } from "./target";

export { dbTargetFromConfig, type DbTarget } from "./target";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** The handle inside `db.transaction(...)`: services that write with others' changes take it. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type Database = {
  db: Db;
  kind: DbTarget["kind"];
  migrate: () => Promise<void>;
  ping: () => Promise<void>;
  close: () => Promise<void>;
};

export function migrationsFolder(): string {
  return path.join(process.cwd(), "db", "migrations");
}

/**
 * Postgres settings for embedded PGlite, passed as start-up options (`-c name=value`) so they
 * apply on every open without rewriting the data folder's postgresql.conf.
 *
 * shared_buffers: PGlite keeps initdb's 128MB, and postgres touches the whole buffer pool at
 * start-up, so it all becomes resident in the WASM memory of the process that opens the database
 * (the web). Measured on a plain node process (bench/webMemory.ts): 128MB → ~300 MiB RSS after
 * opening, 16MB → ~170 MiB. AgentDesk's working set is small rows looked up by key; a miss reads
 * the data file through the operating system's page cache, not the disk.
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = { shared_buffers: "16MB" };

export function pgliteStartParams(settings: Readonly<Record<string, string>> = PGLITE_SETTINGS): string[] {
  return [...PGlite.defaultStartParams, ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`])];
}

// Several web processes may start together against one PostgreSQL: one migrates at a time.
const MIGRATION_LOCK_KEY = 727_364_001;

export function openDatabase(target: DbTarget): Database {
  if (target.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: target.url, max: 10 });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on("error", (err) => console.error("[db] idle PostgreSQL client error:", err.message));
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return {
      db,
      kind: "postgres",
      migrate: async () => {
        const client = await pool.connect();
        try {
          await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
          await migratePg(drizzlePg(client, { schema }), { migrationsFolder: migrationsFolder() });
        } finally {
          await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
          client.release();
        }
      },
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: () => pool.end(),
    };
  }
  if (target.dir) fs.mkdirSync(target.dir, { recursive: true });
  const client = new PGlite({ ...(target.dir ? { dataDir: target.dir } : {}), startParams: pgliteStartParams() });
  const pgliteDb = drizzlePglite(client, { schema });
  const db = pgliteDb as unknown as Db;
  return {
    db,
    kind: "pglite",
    migrate: () => migratePglite(pgliteDb, { migrationsFolder: migrationsFolder() }),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.close(),
  };
}
