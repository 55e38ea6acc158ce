import type { Worker } from "bullmq";
import { startRecorder, type Recorder } from "../recorder";
import { waitForRedis } from "../redis";
import { DEMO_REPO_NAME, ensureDemoRepository } from "../services/demoRepo";
import { publishAcpAgents, republishAcpAgentsIfLost } from "../services/acpAgents";
import { mirrorOf, rebuildBudgetMirror } from "../services/budgets";
import { reconcileJobSchedulers } from "../services/scheduleSync";
import { getApp, type App } from "./app";
import { startNotificationWorker } from "./notificationWorker";
import { startReconciler, type Reconciler } from "./reconciler";
import { reportRedisDurability } from "./redisStartupCheck";
import { startScheduleWorker } from "./scheduler";

const holder = globalThis as unknown as {
  __agentdeskRecorder?: Recorder;
  __agentdeskScheduler?: Worker;
  __agentdeskNotifier?: Worker;
  __agentdeskReconciler?: Reconciler;
  __agentdeskAcpRegistryKeeper?: NodeJS.Timeout;
};

// How often the web looks whether Redis still holds the ACP agent registry.
const ACP_REGISTRY_CHECK_MS = 60_000;

/** Migrates (inside getApp) and starts this web process's recorder and schedule worker, once. */
export async function startWebBackground(): Promise<void> {
  const app = await getApp();
  if (holder.__agentdeskRecorder) return;
  holder.__agentdeskRecorder = startRecorder({
    db: app.db,
    redisUrl: app.config.redisUrl,
    namespace: app.config.redisPrefix,
  });
  holder.__agentdeskScheduler = startScheduleWorker(app);
  // Webhook messages go from the web: it has the users' settings and the delivery log.
  holder.__agentdeskNotifier = startNotificationWorker(app);
  // Runs whose job BullMQ failed or lost end truthfully; queued runs without a job run. Its
  // scans log and retry while Redis is still coming up.
  holder.__agentdeskReconciler = startReconciler(app);
  console.log(`[web] database ready (${app.database.kind}); recorder and schedule worker started`);
  if (app.config.demoRepoPath) await registerDemoRepository(app, app.config.demoRepoPath);
  void reconcileInBackground(app);
  void reportRedisDurability(app.redis);
  holder.__agentdeskAcpRegistryKeeper = setInterval(() => void keepAcpRegistry(app), ACP_REGISTRY_CHECK_MS);
  holder.__agentdeskAcpRegistryKeeper.unref();
}

async function registerDemoRepository(app: App, path: string): Promise<void> {
  try {
    if (await ensureDemoRepository(app, path)) console.log(`[web] the demo's sample repository ${path} is registered as "${DEMO_REPO_NAME}"`);
  } catch (err) {
    console.error(`[web] could not register the demo's sample repository ${path}; register it on the Repositories page:`, (err as Error).message);
  }
}

async function keepAcpRegistry(app: App): Promise<void> {
  try {
    if (await republishAcpAgentsIfLost(app)) console.warn("[web] Redis had lost the ACP agent registry; published it again");
  } catch (err) {
    console.error("[web] could not check the ACP agent registry in Redis; trying again in a minute:", (err as Error).message);
  }
}

/**
 * Not awaited: the web serves pages while Redis is still coming up. A failure is logged and
 * leaves the job schedulers (or the published ACP agents) as they were; the next start
 * reconciles again.
 */
async function reconcileInBackground(app: App): Promise<void> {
  try {
    await waitForRedis(app.redis, 30_000);
    const { upserted, removed } = await reconcileJobSchedulers(app);
    console.log(`[web] schedules reconciled: ${upserted} active, ${removed} stale job schedulers removed`);
  } catch (err) {
    console.error("[web] reconciling schedules with Redis failed; they keep their previous state until the next start:", err);
  }
  try {
    // Job processes read the spending limits from Redis only: a Redis that lost them must not lift them.
    await rebuildBudgetMirror(mirrorOf(app));
    console.log("[web] spending limits and this month's spend mirrored into Redis");
  } catch (err) {
    console.error("[web] mirroring spending limits into Redis failed; the recorder loads a team's limits at its next recorded usage:", err);
  }
  try {
    // Job processes learn the ACP agents from Redis only; a Redis that lost them learns them again.
    const agents = await publishAcpAgents(app);
    console.log(`[web] ACP agent registry published (${agents} agent${agents === 1 ? "" : "s"})`);
  } catch (err) {
    console.error("[web] publishing the ACP agent registry failed; job processes keep the previous one until the next change or start:", err);
  }
}
