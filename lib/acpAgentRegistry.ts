import type { Redis } from "ioredis";
import { acpAgentRegistry, acpAgentRegistryKey, type AcpAgentSpec } from "./contracts/executorSpecs";

/**
 * The ACP agent registry in Redis (see acpAgentRegistry in lib/contracts/executorSpecs.ts):
 * the web writes it, the job processes read it to advertise which agents they can start.
 * No expiry: it stays until the web replaces it, even while no web process runs.
 */
export async function writeAcpAgentRegistry(redis: Redis, redisPrefix: string, agents: readonly AcpAgentSpec[]): Promise<void> {
  const registry = acpAgentRegistry.parse({ agents, publishedAt: new Date().toISOString() });
  await redis.set(acpAgentRegistryKey(redisPrefix), JSON.stringify(registry));
}

/**
 * The published agents, or null when nothing usable is published (never published yet, or a
 * value this version cannot read: the job process then advertises no agent rather than guess).
 */
export async function readAcpAgentRegistry(redis: Redis, redisPrefix: string): Promise<AcpAgentSpec[] | null> {
  const raw = await redis.get(acpAgentRegistryKey(redisPrefix));
  if (raw === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = acpAgentRegistry.safeParse(json);
  return parsed.success ? parsed.data.agents : null;
}
