import { startTestRedis } from "../tests/support/testRedis";
import type { BenchResult } from "./stats";

/** `npm run bench`: every benchmark in turn, each printing its figures beside its baseline. */
const benches: [string, () => Promise<BenchResult>][] = [
  ["workspace", async () => (await import("./workspace")).benchWorkspace()],
  ["environment", async () => (await import("./environment")).benchEnvironment()],
  ["event latency", async () => (await import("./eventLatency")).benchEventLatency()],
  ["live channel", async () => (await import("./liveChannel")).benchLiveChannel()],
  ["agent turn", async () => (await import("./agentTurn")).benchAgentTurn()],
  ["redis footprint", async () => (await import("./redisFootprint")).benchRedisFootprint()],
  ["throughput", async () => (await import("./throughput")).benchThroughput()],
  ["web memory", async () => (await import("./webMemory")).benchWebMemory()],
  ["large diff", async () => (await import("./largeDiff")).benchLargeDiff()],
];

const only = process.argv.slice(2);
// A private Redis with a password, as production has; every benchmark reads REDIS_URL.
const redis = await startTestRedis();
process.env.REDIS_URL = redis.url;
let failed = false;
for (const [key, bench] of benches) {
  if (only.length && !only.some((o) => key.includes(o))) continue;
  const started = Date.now();
  try {
    const result = await bench();
    console.log(`\n${result.name}  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    for (const line of result.lines) console.log(`  ${line}`);
  } catch (err) {
    failed = true;
    console.error(`\n${key}: failed\n`, err);
  }
}
await redis.stop();
process.exit(failed ? 1 : 0);
