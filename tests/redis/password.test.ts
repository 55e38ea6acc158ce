import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "@/jobs/logger";
import { knownSecretValues, loadConfig } from "@/lib/config";
import { appendEvent, createEventLog } from "@/lib/eventLog";
import { createRedis } from "@/lib/redis";
import { describeRedisUrl, probeRedis } from "@/scripts/lib/redisForStart";
import { commandWithoutPassword } from "../support/testRedis";

/**
 * The second wall around Redis (DESIGN.md "Isolation"): even a process that reaches it learns
 * nothing without the password, and the password shows up in no log or message.
 */
const root = path.resolve(import.meta.dirname, "../..");
const redisUrl = process.env.REDIS_URL!;
const password = decodeURIComponent(new URL(redisUrl).password);
const withoutPassword = Object.assign(new URL(redisUrl), { password: "" }).toString();

describe("the tests' Redis requires a password", () => {
  it("is the one every test file uses", () => {
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig().redisUrl).toBe(redisUrl);
  });

  it("refuses a connection without the password: no events to read, no answer to write", async () => {
    const redis = createRedis(redisUrl, "worker", "password-test");
    try {
      const log = createEventLog(redis, process.env.REDIS_PREFIX);
      await appendEvent(log, "victim-run", { type: "log", level: "info", message: "private" });
      // What a run that read REDIS_URL without its password (or guessed the address) gets.
      expect(await commandWithoutPassword(redisUrl, `XRANGE ${log.keys.runEvents("victim-run")} - +`)).toMatch(/^-NOAUTH/);
      expect(await commandWithoutPassword(redisUrl, `XADD ${log.keys.runInput("victim-run")} * answer approve`)).toMatch(/^-NOAUTH/);
      expect(await commandWithoutPassword(redisUrl, "KEYS *")).toMatch(/^-NOAUTH/);
      expect(await commandWithoutPassword(redisUrl, `AUTH default not-${password}`)).toMatch(/^-WRONGPASS/);
      // The input stream was not created by the refused XADD.
      expect(await redis.exists(log.keys.runInput("victim-run"))).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it("ioredis without the password fails the same way", async () => {
    const probe = await probeRedis(withoutPassword, 2_000);
    expect(probe.redis).toBeNull();
    expect(probe).toMatchObject({ connected: true, reason: expect.stringMatching(/NOAUTH/) });
  });
});

describe("nothing prints the Redis password", () => {
  it("describeRedisUrl names host and port only", () => {
    expect(describeRedisUrl(redisUrl)).toBe(`127.0.0.1:${new URL(redisUrl).port}`);
    expect(describeRedisUrl(`redis://user:${password}@example.com`)).toBe("example.com:6379");
  });

  it("a wrong password's error does not echo it", async () => {
    const wrong = Object.assign(new URL(redisUrl), { password: "guessed-wrong-password" }).toString();
    const probe = await probeRedis(wrong, 2_000);
    expect(probe).toMatchObject({ redis: null, reason: expect.stringMatching(/WRONGPASS/) });
    expect(JSON.stringify(probe)).not.toContain("guessed-wrong-password");
  });

  it("the job process's log masks the password of REDIS_URL (and of DATABASE_URL)", () => {
    const secrets = knownSecretValues([], { REDIS_URL: redisUrl, DATABASE_URL: "postgres://app:pg-Pass%2Fword@db/app" });
    expect(secrets).toEqual(expect.arrayContaining([password, "pg-Pass/word"]));
    const lines: string[] = [];
    const logger = createLogger(secrets, {}, (line) => lines.push(line));
    logger.error("could not connect", { url: redisUrl, error: new Error(`AUTH ${password} failed`) });
    expect(lines.join("\n")).not.toContain(password);
    expect(lines.join("\n")).toContain("127.0.0.1");
  });

  it("a job process given a wrong password stops, saying why, without the password", async () => {
    const wrong = Object.assign(new URL(redisUrl), { password: "a-wrong-password-1234" }).toString();
    const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["jobs/main.ts"], {
      cwd: root,
      env: { ...process.env, REDIS_URL: wrong, WORKER_PORT: "0", SANDBOX: "off" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    clearTimeout(timer);
    expect(code).not.toBe(0);
    expect(output).toMatch(/WRONGPASS/);
    expect(output).not.toContain("a-wrong-password-1234");
    expect(output).not.toContain(password);
  });
});
