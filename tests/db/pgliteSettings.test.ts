import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, PGLITE_SETTINGS } from "@/lib/db/client";
import { run } from "@/lib/db/schema";

/**
 * The embedded database opens with AgentDesk's postgres settings (lib/db/client.ts
 * PGLITE_SETTINGS: a smaller buffer pool so the web process stays small), in a data folder and
 * in memory, and a folder created, migrated and closed that way opens again with its data.
 */
describe("embedded PGlite settings", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-pglite-settings-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function setting(database: ReturnType<typeof openDatabase>, name: string): Promise<string> {
    const result = (await database.db.execute(sql.raw(`show ${name}`))) as unknown as { rows: Record<string, string>[] };
    return result.rows[0]![name]!;
  }

  it("applies the settings to a data folder, across a close and a reopen, with migrations and data intact", async () => {
    expect(PGLITE_SETTINGS.shared_buffers).toBe("16MB");
    const first = openDatabase({ kind: "pglite", dir });
    await first.migrate();
    expect(await setting(first, "shared_buffers")).toBe("16MB");
    // initdb's own configuration file is left as it was: the settings are start-up options.
    expect(fs.readFileSync(path.join(dir, "postgresql.conf"), "utf8")).toMatch(/^shared_buffers = 128MB/m);
    const count = (await first.db.select({ n: sql<number>`count(*)::int` }).from(run))[0]!.n;
    await first.close();

    const again = openDatabase({ kind: "pglite", dir });
    await again.migrate();
    expect(await setting(again, "shared_buffers")).toBe("16MB");
    // PGlite's own defaults still hold beside ours.
    expect(await setting(again, "max_parallel_workers")).toBe("0");
    expect((await again.db.select({ n: sql<number>`count(*)::int` }).from(run))[0]!.n).toBe(count);
    await again.close();
  });

  it("applies them to an in-memory database too", async () => {
    const memory = openDatabase({ kind: "pglite", dir: null });
    await memory.migrate();
    expect(await setting(memory, "shared_buffers")).toBe("16MB");
    await memory.close();
  });
});
