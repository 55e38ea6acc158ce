import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "@/lib/db/client";

declare module "vitest" {
  export interface ProvidedContext {
    /** A PGlite data folder with every migration applied, for setup.ts to copy per test file. */
    pgliteTemplateDir: string;
  }
}

/**
 * vitest global setup: one migrated PGlite data folder for the whole run. Creating a PGlite
 * database runs initdb inside WASM (about 3 s of CPU on a two-core machine) and the migrations
 * take another 0.4 s; a copy of the result takes 0.2 s. Each `.db.test.ts` file under
 * TEST_DB=pglite starts from its own copy, which AgentDesk opens as it would after a restart
 * (and its start-up migration finds nothing to do). The migrations themselves are still tested
 * from an empty database by tests/db (tests/support/migrationTarget.ts).
 */
export default async function setup(project: { provide: (key: "pgliteTemplateDir", value: string) => void }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-pglite-template-"));
  const dir = path.join(root, "pgdata");
  const database = openDatabase({ kind: "pglite", dir });
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
  project.provide("pgliteTemplateDir", dir);
  return () => fs.rmSync(root, { recursive: true, force: true });
}
