import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, inject } from "vitest";

/**
 * Runs before each test file, in its own module registry: the run's Redis, a unique Redis prefix, data
 * folder and, for `.db.test.ts`, a database of its own (under TEST_DB=pglite a copy of the run's
 * migrated PGlite folder, under TEST_DB=postgres a fresh PostgreSQL database), so test files run
 * side by side against the real services without a global reset.
 */
const id = crypto.randomBytes(5).toString("hex");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `agentdesk-test-${id}-`));

// The run's own Redis, which requires a password (tests/support/redisGlobalSetup.ts).
process.env.REDIS_URL = inject("redisUrl");
process.env.REDIS_PREFIX = `t${id}:`;
process.env.DATA_DIR = dataDir;
process.env.ALLOW_LOCAL_REPOS = "1";
process.env.AUTH_SECRET ??= crypto.randomBytes(32).toString("hex");
process.env.APP_URL = "http://localhost:3999";
process.env.GIT_AUTHOR_NAME = "AgentDesk Test";
process.env.GIT_AUTHOR_EMAIL = "agentdesk-test@example.com";
delete process.env.DATABASE_URL;
delete process.env.ANTHROPIC_API_KEY;

export const TEST_POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

if (process.env.TEST_DB === "pglite") {
  // A copy of the run's migrated PGlite folder (pgliteTemplateGlobalSetup.ts) where AgentDesk
  // looks for it (lib/db/target.ts): no initdb per file.
  // cp(1), not fs.cpSync: 50 ms against 0.1 to 1.2 s for PGlite's 1,200 files.
  execFileSync("cp", ["-a", inject("pgliteTemplateDir"), path.join(dataDir, "pgdata")]);
}

if (process.env.TEST_DB === "postgres") {
  const dbName = `agentdesk_test_${id}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const url = new URL(TEST_POSTGRES_ADMIN_URL);
  url.pathname = `/${dbName}`;
  process.env.DATABASE_URL = url.toString();
  afterAll(async () => {
    // Close this file's pool first, so dropping the database does not kill live connections.
    const { closeApp } = await import("@/lib/server/app");
    await closeApp();
    const c = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
  });
}

afterAll(async () => {
  const { closeApp } = await import("@/lib/server/app");
  await closeApp();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
