import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Redis } from "ioredis";
import type { Registry } from "prom-client";
import { durabilityFields, inspectRedisDurability, type RedisDurability } from "../lib/redisDurability";
import { errorMessage } from "./errors";
import type { Logger } from "./logger";

export type HealthServerOptions = {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  redis: Redis;
  registry: Registry;
  status: () => { activeRuns: number; concurrency: number };
  logger: Logger;
};

export type HealthServer = { port: number; close(): Promise<void> };

const REDIS_PING_TIMEOUT_MS = 1_000;

// The worker's connection queues commands while Redis is down (maxRetriesPerRequest: null),
// so a plain PING would hang the health check instead of reporting the outage.
async function redisAnswers(redis: Redis): Promise<boolean> {
  if (redis.status !== "ready") return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      redis.ping().then((reply) => reply === "PONG"),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), REDIS_PING_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function redisDurability(redis: Redis): Promise<RedisDurability | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      inspectRedisDurability(redis),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), REDIS_PING_TIMEOUT_MS);
      }),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** The job process's `GET /health` (JSON; 503 when Redis is down) and `GET /metrics` (Prometheus). */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { redis, registry, status, logger } = options;
  const server = http.createServer((req, res) => {
    const send = (code: number, type: string, body: string) => {
      res.writeHead(code, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    const route = async () => {
      const path = new URL(req.url ?? "/", "http://worker").pathname;
      if (req.method !== "GET" && req.method !== "HEAD") return send(405, "text/plain", "method not allowed\n");
      if (path === "/health") {
        const redisUp = await redisAnswers(redis);
        // Asked each time, so fixing Redis needs no restart; an evicting Redis is unhealthy.
        const durability = redisUp ? await redisDurability(redis) : null;
        const ok = redisUp && !durability?.problem;
        const body = { ok, redis: redisUp, ...(durability ? durabilityFields(durability) : {}), ...status() };
        return send(ok ? 200 : 503, "application/json", JSON.stringify(body));
      }
      if (path === "/metrics") return send(200, registry.contentType, await registry.metrics());
      return send(404, "text/plain", "not found\n");
    };
    route().catch((e: unknown) => {
      logger.error("health server request failed", { path: req.url, error: errorMessage(e) });
      if (!res.headersSent) send(500, "text/plain", "internal error\n");
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
