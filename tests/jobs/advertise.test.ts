import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdvertising } from "../../jobs/advertise";
import { createCliExecutor } from "../../jobs/executors/cli";
import type { ExecutorRegistry } from "../../jobs/executors";
import type { Executor } from "../../jobs/executors/types";
import { silentLogger } from "../../jobs/logger";
import { readAcpAgentRegistry, writeAcpAgentRegistry } from "../../lib/acpAgentRegistry";
import { loadConfig } from "../../lib/config";
import { acpAgentCatalog, executorCatalog } from "../../lib/executors";
import { createRedis } from "../../lib/redis";
import { liveWorkers } from "../../lib/workerDirectory";
import { eventually } from "./helpers";

/**
 * The round trip of ACP agent availability: the web publishes the registry to Redis, a job
 * process reads it at each advert tick and says per agent whether it can start it (its real
 * check: the program found as the sandbox finds it, the variables set), the web reads the
 * adverts back into what the forms and the API offer.
 */
const config = loadConfig();
let redis: Redis;

// The job process's executors as far as the advert asks them: can you run here? The acp
// executor's own work is helper code elsewhere; the advert only needs its answer.
const acpExecutor = (reason: string | null): Executor => ({
  name: "acp",
  unavailableReason: () => reason,
  run: () => Promise.reject(new Error("the advert never runs an executor")),
});
const registryWith = (acp: Executor | null): ExecutorRegistry =>
  new Map<Executor["name"], Executor>([["cli", createCliExecutor()], ...(acp ? [["acp", acp] as const] : [])]);

const UNSET = "AGENTDESK_TEST_NEVER_SET_VARIABLE";

beforeAll(() => {
  redis = createRedis(config.redisUrl, "worker");
  delete process.env[UNSET];
});
afterAll(async () => {
  await redis?.quit();
});

async function advertising(name: string, registry: ExecutorRegistry) {
  return startAdvertising({ redis, config, name, registry, activeRuns: () => 0, logger: silentLogger, intervalMs: 100 });
}

const advertOf = async (name: string) => (await liveWorkers(redis, config.redisPrefix)).find((w) => w.name === name);

describe("ACP agents in the job process's advert", () => {
  it("says per published agent whether this job process can start it, and follows changes of the registry", async () => {
    await writeAcpAgentRegistry(redis, config.redisPrefix, [
      { name: "shell-agent", command: "sh", args: ["-c", "true"], envNames: ["PATH"] },
      { name: "goose", command: "goose", args: ["acp", "--with-builtin", "developer"], envNames: [] },
      { name: "needs-key", command: "sh", args: [], envNames: [UNSET] },
    ]);
    const advert = await advertising("advert-test-1", registryWith(acpExecutor(null)));
    try {
      const offers = await eventually(async () => (await advertOf("advert-test-1"))?.acpAgents);
      expect(offers).toEqual([
        { name: "shell-agent", available: true },
        { name: "goose", available: false, reason: expect.stringMatching(/"goose" is not installed/) },
        { name: "needs-key", available: false, reason: `${UNSET} is not set on the job process` },
      ]);

      // What the web makes of it: the agents as forms offer them, and the acp executor itself.
      const workers = await liveWorkers(redis, config.redisPrefix);
      const choices = acpAgentCatalog(workers.filter((w) => w.name === "advert-test-1"), [
        { name: "shell-agent", description: "" },
        { name: "goose", description: "" },
        { name: "registered-just-now", description: "" },
      ]);
      expect(choices.map((c) => [c.name, c.available])).toEqual([
        ["shell-agent", true],
        ["goose", false],
        ["registered-just-now", false],
      ]);
      expect(choices[1]!.unavailableReason).toMatch(/^ACP agent goose is not available: "goose" is not installed/);
      expect(choices[2]!.unavailableReason).toMatch(/no job process has checked it yet/);
      expect(executorCatalog(workers, choices).find((e) => e.name === "acp")).toMatchObject({ available: true });
      expect(executorCatalog(workers, choices.slice(1)).find((e) => e.name === "acp")).toMatchObject({
        available: false,
        unavailableReason: expect.stringMatching(/none of the registered ACP agents can start: ACP agent goose is not available/),
      });
      expect(executorCatalog(workers, []).find((e) => e.name === "acp")?.unavailableReason).toMatch(/no ACP agent is registered/);

      // The web publishes a change; the next tick says so.
      await writeAcpAgentRegistry(redis, config.redisPrefix, [{ name: "needs-key", command: "sh", args: [], envNames: ["HOME"] }]);
      await eventually(async () => {
        const now = (await advertOf("advert-test-1"))?.acpAgents;
        return now?.length === 1 && now[0]!.available ? now : undefined;
      });
    } finally {
      await advert.stop();
    }
    expect(await advertOf("advert-test-1")).toBeUndefined();
  });

  it("offers no agent when the job process cannot run the acp executor, saying why", async () => {
    await writeAcpAgentRegistry(redis, config.redisPrefix, [{ name: "shell-agent", command: "sh", args: [], envNames: [] }]);
    for (const [name, registry, why] of [
      ["advert-test-2", registryWith(acpExecutor("the sandbox cannot start")), "the acp executor is not available: the sandbox cannot start"],
      ["advert-test-3", registryWith(null), "the acp executor is not available: not built into this job process"],
    ] as const) {
      const advert = await advertising(name, registry);
      try {
        const offers = await eventually(async () => (await advertOf(name))?.acpAgents);
        expect(offers).toEqual([{ name: "shell-agent", available: false, reason: why }]);
      } finally {
        await advert.stop();
      }
    }
  });

  it("advertises no agent while nothing usable is published, and reads an older job process's advert", async () => {
    await redis.set(`${config.redisPrefix}acp-agents`, JSON.stringify({ agents: [{ name: "Not A Slug", command: "" }], publishedAt: "x" }));
    expect(await readAcpAgentRegistry(redis, config.redisPrefix)).toBeNull();
    const advert = await advertising("advert-test-4", registryWith(acpExecutor(null)));
    try {
      expect(await eventually(async () => (await advertOf("advert-test-4"))?.acpAgents)).toEqual([]);
    } finally {
      await advert.stop();
    }

    // A job process of an earlier version writes no acpAgents: its advert still counts.
    const old = { name: "advert-test-old", startedAt: new Date().toISOString(), concurrency: 1, activeRuns: 0, sandbox: "on", executors: [{ name: "cli", available: true }] };
    await redis.set(`${config.redisPrefix}workers:advert-test-old`, JSON.stringify(old), "EX", 30);
    const parsed = await advertOf("advert-test-old");
    expect(parsed).toMatchObject({ name: "advert-test-old" });
    expect(acpAgentCatalog([parsed!], [{ name: "goose", description: "" }])[0]!.unavailableReason).toMatch(/no job process has checked it yet/);
    await redis.del(`${config.redisPrefix}workers:advert-test-old`);
  });
});
