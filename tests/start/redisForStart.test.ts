import path from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { ensureRedis, probeRedis } from "../../scripts/lib/redisForStart";
import { StartError } from "../../scripts/lib/startError";
import { freePort, startOwnRedis } from "./support";

const dataDir = process.env.DATA_DIR as string;
const lines: string[] = [];
const log = (line: string) => lines.push(line);
const cleanups: (() => Promise<unknown> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  lines.length = 0;
});

describe("ensureRedis", () => {
  it("starts a private redis-server with noeviction under DATA_DIR and stops it", async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const result = await ensureRedis({ url, dataDir, cwd: process.cwd(), log });
    cleanups.push(() => result.stop());
    expect(result.privateServer).not.toBeNull();

    const client = new Redis(url);
    try {
      expect(await client.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "noeviction"]);
      expect(await client.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
      expect(await client.config("GET", "dir")).toEqual(["dir", path.join(dataDir, "redis")]);
      expect(await client.config("GET", "save")).toEqual(["save", ""]);
    } finally {
      client.disconnect();
    }

    await result.stop();
    expect(result.privateServer?.hasExited()).toBe(true);
    const after = await probeRedis(url, 500);
    expect(after.redis).toBeNull();
  });

  it("uses a Redis that already answers, without starting one", async () => {
    const port = await freePort();
    cleanups.push(await startOwnRedis(port, "noeviction"));
    const result = await ensureRedis({ url: `redis://127.0.0.1:${port}`, dataDir, cwd: process.cwd(), log });
    expect(result.privateServer).toBeNull();
    expect(lines.join("\n")).toContain(`using 127.0.0.1:${port}`);
  });

  it("refuses a Redis that may evict keys, naming the setting", async () => {
    const port = await freePort();
    cleanups.push(await startOwnRedis(port, "allkeys-lru"));
    const attempt = ensureRedis({ url: `redis://127.0.0.1:${port}`, dataDir, cwd: process.cwd(), log });
    await expect(attempt).rejects.toBeInstanceOf(StartError);
    await expect(attempt).rejects.toThrow(/maxmemory-policy is "allkeys-lru".*noeviction/);
  });

  it("says how to get Redis when a remote one does not answer", async () => {
    const attempt = ensureRedis({ url: "redis://192.0.2.1:6379", dataDir, cwd: process.cwd(), log });
    await expect(attempt).rejects.toThrow(/192\.0\.2\.1:6379.*does not answer[\s\S]*sudo apt-get install redis-server[\s\S]*brew install redis[\s\S]*docker run -d -p 6379:6379 redis:7 --maxmemory-policy noeviction/);
  });

  it("does not start a private server for a URL with a password, and never prints it", async () => {
    const port = await freePort();
    const attempt = ensureRedis({ url: `redis://:hunter2secret@127.0.0.1:${port}`, dataDir, cwd: process.cwd(), log });
    await expect(attempt).rejects.toThrow(/credentials/);
    await attempt.catch((err: Error) => expect(err.message).not.toContain("hunter2secret"));
  });
});
