import { startAdvertising } from "@/jobs/advertise";
import { silentLogger } from "@/jobs/logger";
import { createRunWorker, type RunWorker } from "@/jobs/worker";
import { loadConfig } from "@/lib/config";
import { startRecorder } from "@/lib/recorder";
import { createRedis } from "@/lib/redis";
import { liveWorkers } from "@/lib/workerDirectory";
import { eventually } from "../jobs/helpers";
import { getApp } from "./web";

/**
 * A job process for the web of this test file, in this process: the recorder (events into the
 * database), a run worker on its own Redis connection, and its advert, awaited until the web
 * sees it (the web offers only what a live job process advertises). Reads the configuration
 * when called, so variables a test sets first (keys, credentials) reach the worker.
 */
export async function startWebWorker(
  name: string,
  // `recorder: false`: the test starts and stops the web's recorder itself (a web that crashes).
  options: { recorder?: boolean } = {},
): Promise<{ worker: RunWorker; stop(): Promise<void> }> {
  const config = loadConfig();
  const app = await getApp();
  const recorder = options.recorder === false ? null : startRecorder({ db: app.db, redisUrl: config.redisUrl, namespace: config.redisPrefix, blockMs: 200 });
  const redis = createRedis(config.redisUrl, "worker");
  const worker = await createRunWorker({ config, redis, logger: silentLogger });
  const advertising = startAdvertising({ redis, config, name, registry: worker.executors, activeRuns: worker.activeRuns, logger: silentLogger });
  await eventually(async () => ((await liveWorkers(app.redis, config.redisPrefix)).some((w) => w.name === name) ? true : undefined));
  return {
    worker,
    stop: async () => {
      await advertising.stop();
      await worker.close(5_000);
      await recorder?.stop();
      redis.disconnect();
    },
  };
}
