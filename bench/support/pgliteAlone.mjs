// A plain node process that opens an existing PGlite data folder with the given start-up
// parameters, runs one query and prints its resident memory (bytes) as JSON: the floor the web
// process pays for embedding the database, with PGlite's defaults or AgentDesk's settings
// (bench/webMemory.ts). Plain JavaScript, so no TypeScript loader adds to the figure.
import fs from "node:fs";
import { PGlite } from "@electric-sql/pglite";

const [dir, paramsJson] = process.argv.slice(2);
const startParams = paramsJson ? JSON.parse(paramsJson) : undefined;
const db = new PGlite({ dataDir: dir, ...(startParams ? { startParams } : {}) });
await db.query("select count(*) from pg_class");
const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))[1]) * 1024;
await db.close();
console.log(JSON.stringify({ rss }));
