import fs from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { ensureRedis, probeRedis } from "../../scripts/lib/redisForStart";
import { StartError } from "../../scripts/lib/startError";
import { commandWithoutPassword } from "../support/testRedis";
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
  it("starts a private redis-server with a password, AOF and noeviction under DATA_DIR and stops it", async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const result = await ensureRedis({ url, dataDir, cwd: process.cwd(), log });
    cleanups.push(() => result.stop());
    expect(result.privateServer).not.toBeNull();

    // The password: random, in a file only we can read, handed on in the URL, printed nowhere.
    const passwordFile = path.join(dataDir, "redis", "password");
    const password = fs.readFileSync(passwordFile, "utf8").trim();
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.statSync(passwordFile).mode & 0o777).toBe(0o600);
    expect(result.url).toBe(`redis://:${password}@127.0.0.1:${port}`);
    expect(lines.join("\n")).not.toContain(password);
    const cmdline = fs.readFileSync(`/proc/${result.privateServer!.pid}/cmdline`, "utf8");
    expect(cmdline).not.toContain(password);

    // Without the password Redis refuses every command.
    expect(await commandWithoutPassword(url, "KEYS *")).toMatch(/^-NOAUTH/);

    const client = new Redis(result.url);
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

  it("keeps the password across starts and finds its own server still running", async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const first = await ensureRedis({ url, dataDir, cwd: process.cwd(), log });
    cleanups.push(() => first.stop());
    // A start killed without stopping its Redis: the next start uses that server.
    const again = await ensureRedis({ url, dataDir, cwd: process.cwd(), log });
    expect(again.privateServer).toBeNull();
    expect(again.url).toBe(first.url);
    expect(lines.join("\n")).toContain(`using the private redis-server already running at 127.0.0.1:${port}`);
    await first.stop();
    const restarted = await ensureRedis({ url, dataDir, cwd: process.cwd(), log });
    cleanups.push(() => restarted.stop());
    expect(restarted.privateServer).not.toBeNull();
    expect(restarted.url).toBe(first.url);
  });

  it("tells the user to put the password in REDIS_URL when Redis answers NOAUTH", async () => {
    const port = await freePort();
    cleanups.push(await startOwnRedis(port, "noeviction", "s3cret-of-the-operator"));
    const attempt = ensureRedis({ url: `redis://127.0.0.1:${port}`, dataDir, cwd: process.cwd(), log });
    await expect(attempt).rejects.toBeInstanceOf(StartError);
    await expect(attempt).rejects.toThrow(`Redis at 127.0.0.1:${port} (REDIS_URL) requires a password. Put it in REDIS_URL: redis://:PASSWORD@127.0.0.1:${port}`);
  });

  it("says the password in REDIS_URL is wrong, without printing it", async () => {
    const port = await freePort();
    cleanups.push(await startOwnRedis(port, "noeviction", "s3cret-of-the-operator"));
    const attempt = ensureRedis({ url: `redis://:not-the-password@127.0.0.1:${port}`, dataDir, cwd: process.cwd(), log });
    await expect(attempt).rejects.toThrow(/refused the password in REDIS_URL/);
    await attempt.catch((err: Error) => expect(err.message).not.toContain("not-the-password"));
    const ok = await ensureRedis({ url: `redis://:s3cret-of-the-operator@127.0.0.1:${port}`, dataDir, cwd: process.cwd(), log });
    expect(ok.privateServer).toBeNull();
    expect(lines.join("\n")).not.toContain("s3cret-of-the-operator");
    expect(lines.join("\n")).not.toMatch(/warning.*needs no password/);
  });

  it("uses a Redis that already answers, without starting one", async () => {
    const port = await freePort();
    cleanups.push(await startOwnRedis(port, "noeviction"));
    const result = await ensureRedis({ url: `redis://127.0.0.1:${port}`, dataDir, cwd: process.cwd(), log });
    expect(result.privateServer).toBeNull();
    expect(lines.join("\n")).toContain(`using 127.0.0.1:${port}`);
    expect(lines.join("\n")).toMatch(/warning: 127\.0\.0\.1:\d+ needs no password/);
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
