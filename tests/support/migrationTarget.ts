import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { expect } from "vitest";
import { migrationsFolder } from "@/lib/db/client";

/**
 * A database to run migrations on step by step, for tests of what a migration does to data
 * that was there before it: this file's own PostgreSQL database (TEST_DB=postgres) or a fresh
 * in-memory PGlite.
 */
export type MigrationTarget = {
  exec: (q: string) => Promise<Record<string, unknown>[]>;
  migrate: (folder: string) => Promise<void>;
  close: () => Promise<void>;
};

export function openMigrationTarget(): MigrationTarget {
  if (process.env.TEST_DB === "postgres") {
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
    const db = drizzlePg(pool);
    return {
      exec: async (q) => (await pool.query(q)).rows as Record<string, unknown>[],
      migrate: (folder) => migratePg(db, { migrationsFolder: folder }),
      close: () => pool.end(),
    };
  }
  const client = new PGlite();
  const db = drizzlePglite(client);
  return {
    // Several statements at once: PGlite's simple query protocol, the last one's rows.
    exec: async (q) => ((await client.exec(q)).at(-1)?.rows ?? []) as Record<string, unknown>[],
    migrate: (folder) => migratePglite(db, { migrationsFolder: folder }),
    close: () => client.close(),
  };
}

/** The migrations folder as it was before `tag`: its files, its journal cut there. */
export function migrationsBefore(tag: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-migrations-"));
  fs.cpSync(migrationsFolder(), dir, { recursive: true });
  const journalPath = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(fs.readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag === tag);
  expect(cut).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, cut);
  fs.writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}
