import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";

/**
 * A private redis-server for one test run (vitest's global setup, the browser stack, the
 * benchmarks): a free port, a random password (as in production, DESIGN.md "Isolation"), no
 * persistence (speed). The configuration goes in on stdin, so the password never appears in
 * a command line another process could read.
 */
export type TestRedis = { url: string; password: string; port: number; stop: () => Promise<void> };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function startOnce(): Promise<TestRedis | null> {
  const port = await freePort();
  const password = crypto.randomBytes(24).toString("hex");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-test-redis-"));
  const child = spawn("redis-server", ["-"], { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output = (output + d).slice(-4_000)));
  child.stderr.on("data", (d) => (output = (output + d).slice(-4_000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
  child.stdin.end(
    [
      `port ${port}`,
      "bind 127.0.0.1",
      `requirepass ${password}`,
      'save ""',
      "appendonly no",
      "maxmemory-policy noeviction",
      `dir ${dir}`,
      "",
    ].join("\n"),
  );
  // A crashed or interrupted test run must not leave its Redis behind on a shared machine.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const url = `redis://:${password}@127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const failed = await Promise.race([spawnError, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
    if (failed) throw new Error(`could not start redis-server for the tests: ${failed.message}`);
    if (child.exitCode !== null) {
      await stop();
      // Most likely another process took the port between our check and redis-server's bind.
      if (/Address already in use/i.test(output)) return null;
      throw new Error(`redis-server for the tests exited at start-up:\n${output}`);
    }
    if (await answers(url)) return { url, password, port, stop };
  }
  await stop();
  throw new Error(`redis-server for the tests did not answer on port ${port}:\n${output}`);
}

export async function startTestRedis(): Promise<TestRedis> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const redis = await startOnce();
    if (redis) return redis;
  }
  throw new Error("redis-server for the tests found no free port after 5 tries");
}

/**
 * What a process that knows only Redis's address gets: one inline command over a bare TCP
 * connection, no password, and the first line of the reply (e.g. "-NOAUTH …").
 */
export async function commandWithoutPassword(url: string, command: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    let reply = "";
    socket.setTimeout(3_000, () => socket.destroy(new Error(`no reply from ${hostname}:${port}`)));
    socket.once("error", reject);
    socket.once("connect", () => socket.write(`${command}\r\n`));
    socket.on("data", (d) => {
      reply += d.toString();
      const end = reply.indexOf("\r\n");
      if (end >= 0) {
        socket.end();
        resolve(reply.slice(0, end));
      }
    });
  });
}
