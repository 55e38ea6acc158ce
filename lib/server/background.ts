import { startRecorder, type Recorder } from "../recorder";
import { getApp } from "./app";

const holder = globalThis as unknown as { __agentdeskRecorder?: Recorder };

/** Migrates (inside getApp) and starts this web process's recorder, once. */
export async function startWebBackground(): Promise<void> {
  const app = await getApp();
  if (holder.__agentdeskRecorder) return;
  holder.__agentdeskRecorder = startRecorder({
    db: app.db,
    redisUrl: app.config.redisUrl,
    namespace: app.config.redisPrefix,
  });
  console.log(`[web] database ready (${app.database.kind}); recorder started`);
}
