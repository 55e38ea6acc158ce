import { getApp } from "@/lib/server/app";
import { advertiseWorker, withdrawWorker, type WorkerAdvert } from "@/lib/workerDirectory";

/**
 * A live job process as the web sees it: its advert in this test file's Redis, saying which
 * executors and ACP agents it can run. The web's checks read nothing else, so tests of the
 * forms and the API need no real job process to say "offered" or "not offered, because …".
 */
export async function advertiseTestWorker(
  name: string,
  executors: WorkerAdvert["executors"],
  acpAgents: WorkerAdvert["acpAgents"] = [],
): Promise<void> {
  const app = await getApp();
  await advertiseWorker(app.redis, app.config.redisPrefix, {
    name,
    startedAt: new Date().toISOString(),
    concurrency: 1,
    activeRuns: 0,
    sandbox: "on",
    executors,
    acpAgents,
  });
}

export async function withdrawTestWorker(name: string): Promise<void> {
  const app = await getApp();
  await withdrawWorker(app.redis, app.config.redisPrefix, name);
}
