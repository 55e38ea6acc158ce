import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, startOwnRedis } from "./support";

const root = path.resolve(import.meta.dirname, "../..");
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Runs `npm start`'s script the way npm does, with no stdin, and collects what it says. */
function runStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child: ChildProcess = spawn(path.join(root, "node_modules", ".bin", "tsx"), ["scripts/start.ts"], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

async function ports(): Promise<Record<string, string>> {
  return { PORT: String(await freePort()), WORKER_PORT: String(await freePort()) };
}

describe("npm start refuses to start, saying why", () => {
  it("names a bad variable and exits 1", async () => {
    const { code, output } = await runStart({ PORT: "abc" });
    expect(code).toBe(1);
    expect(output).toMatch(/Invalid configuration:\n\s+PORT:/);
  });

  it("names every bad variable at once", async () => {
    const { code, output } = await runStart({ REDIS_URL: "http://nope", AUTH_SECRET: "short" });
    expect(code).toBe(1);
    expect(output).toMatch(/REDIS_URL: must be a redis:\/\//);
    expect(output).toMatch(/AUTH_SECRET: must be at least 32 characters/);
  });

  it("says when the web port is taken", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    cleanups.push(() => taken.close());
    const port = (taken.address() as net.AddressInfo).port;
    const { code, output } = await runStart({ ...(await ports()), PORT: String(port) });
    expect(code).toBe(1);
    expect(output).toContain(`Port ${port} is already in use`);
    expect(output).toContain("set PORT to a free port");
  });

  it("refuses a Redis whose maxmemory-policy is not noeviction", async () => {
    const redisPort = await freePort();
    cleanups.push(await startOwnRedis(redisPort, "allkeys-lru"));
    const { code, output } = await runStart({ ...(await ports()), REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    expect(code).toBe(1);
    expect(output).toContain('Redis maxmemory-policy is "allkeys-lru"');
    expect(output).not.toContain("Database:");
  });

  it("says the database migration failed, with the database's own answer", async () => {
    const redisPort = await freePort();
    cleanups.push(await startOwnRedis(redisPort, "noeviction"));
    const dbPort = await freePort();
    const { code, output } = await runStart({
      ...(await ports()),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      DATABASE_URL: `postgres://nobody@127.0.0.1:${dbPort}/agentdesk`,
    });
    expect(code).toBe(1);
    // The migration runs in a child of its own (scripts/migrate.ts): its error, then the summary.
    expect(output).toMatch(new RegExp(`\\[migrate\\] .*ECONNREFUSED 127\\.0\\.0\\.1:${dbPort}`));
    expect(output).toContain(`Database migration failed (PostgreSQL at 127.0.0.1:${dbPort}/agentdesk; exit code 1)`);
    expect(output).not.toContain("Building AgentDesk");
  });
});
