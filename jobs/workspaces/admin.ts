import os from "node:os";
import type { Redis } from "ioredis";
import type { Config } from "../../lib/config";
import {
  WORKSPACE_DELETE_RESULT_TTL_SEC,
  workspaceDeleteRequest,
  workspaceDeleteRequestsKey,
  workspaceDeleteResult,
  workspaceDeleteResultKey,
  workspaceReport,
  workspaceReportKey,
  type WorkspaceDeleteResult,
  type WorkspaceReport,
} from "../../lib/contracts/workspaces";
import { ADVERT_TTL_SEC } from "../../lib/workerDirectory";
import { errorMessage } from "../errors";
import type { Logger } from "../logger";
import { createDiskUseCache, type DiskUseCache } from "./diskUse";
import { suspendedRunIds, takeInventory } from "./inventory";
import { emptyRunTrash, removeWorkspace } from "./remove";
import { chooseSweep } from "./sweep";

/**
 * The job process's side of the workspaces admin page: every round it sweeps left-over run
 * workspaces by age and size (sweep.ts) and reports what is on its disk in Redis (expiring
 * with its advert); in between it takes the admins' delete requests from its own list, answers
 * each, and reports again at once.
 */
export type WorkspaceAdminOptions = {
  redis: Redis;
  config: Pick<Config, "dataDir" | "redisPrefix" | "workspaceMaxAgeHours" | "workspaceMaxBytes">;
  worker: string;
  logger: Logger;
  disk?: DiskUseCache;
};

const REQUESTS_PER_LOOK = 20;

/** Sweep, then report what is left. */
export async function maintainWorkspaces(o: WorkspaceAdminOptions & { disk: DiskUseCache }, now = Date.now()): Promise<WorkspaceReport> {
  const { config, disk, logger } = o;
  await emptyRunTrash(config.dataDir);
  const suspended = await suspendedRunIds(o.redis, config.redisPrefix);
  let inventory = await takeInventory(config.dataDir, disk, suspended);
  const swept = chooseSweep(inventory.runs, { maxAgeHours: config.workspaceMaxAgeHours, maxBytes: config.workspaceMaxBytes }, now);
  if (swept.length > 0) {
    // The state is read again right before each delete: a run may have started meanwhile.
    const fresh = await suspendedRunIds(o.redis, config.redisPrefix);
    for (const { folder, why } of swept) {
      const result = await removeWorkspace(config.dataDir, folder.id, fresh, disk);
      if (result.outcome === "deleted") logger.info("swept a left-over run workspace", { runId: folder.runId, why, bytes: folder.bytes, lastUsedAt: folder.lastUsedAt });
    }
    inventory = await takeInventory(config.dataDir, disk, fresh);
  }
  disk.keepOnly([...inventory.runs.map((r) => r.dir)]);
  return publishReport(o, inventory);
}

async function publishReport(o: WorkspaceAdminOptions, inventory: Awaited<ReturnType<typeof takeInventory>>): Promise<WorkspaceReport> {
  const report = workspaceReport.parse({
    worker: o.worker,
    host: os.hostname(),
    reportedAt: new Date().toISOString(),
    maxAgeHours: o.config.workspaceMaxAgeHours,
    maxBytes: o.config.workspaceMaxBytes,
    runs: inventory.runs.map(({ dir: _dir, ...entry }) => entry),
    pool: inventory.pool,
    mirrors: inventory.mirrors,
  });
  await o.redis.set(workspaceReportKey(o.config.redisPrefix, o.worker), JSON.stringify(report), "EX", ADVERT_TTL_SEC);
  return report;
}

/**
 * Answers the delete requests waiting on this job process's list. A request that is not JSON
 * or has no request id cannot be answered and is skipped with a warning; one with a bad
 * workspace id is answered "refused". Returns the answers.
 */
export async function takeDeleteRequests(
  o: WorkspaceAdminOptions & { disk: DiskUseCache },
  /** Runs after the deletes and before the answers (a fresh report), so whoever reads an answer sees the report without it. */
  beforeAnswering?: () => Promise<unknown>,
): Promise<WorkspaceDeleteResult[]> {
  const key = workspaceDeleteRequestsKey(o.config.redisPrefix, o.worker);
  const raw = (await o.redis.lpop(key, REQUESTS_PER_LOOK)) ?? [];
  const results: WorkspaceDeleteResult[] = [];
  for (const item of raw) {
    let json: unknown = null;
    try {
      json = JSON.parse(item);
    } catch {
      // answered below as unreadable
    }
    const requestId = (json as { requestId?: unknown } | null)?.requestId;
    const parsed = workspaceDeleteRequest.safeParse(json);
    if (!parsed.success && !workspaceDeleteRequest.shape.requestId.safeParse(requestId).success) {
      o.logger.warn("ignoring a workspace delete request that is not valid", { request: item.slice(0, 200) });
      continue;
    }
    const id = typeof (json as { id?: unknown }).id === "string" ? ((json as { id: string }).id) : "";
    const outcome = parsed.success
      ? await removeWorkspace(o.config.dataDir, id, await suspendedRunIds(o.redis, o.config.redisPrefix), o.disk).catch((e: unknown) => ({
          outcome: "refused" as const,
          reason: `could not delete it: ${errorMessage(e)}`,
          bytes: 0,
        }))
      : { outcome: "refused" as const, reason: "not a workspace id", bytes: 0 };
    const result = workspaceDeleteResult.parse({
      requestId,
      id: id.slice(0, 300),
      ...outcome,
      worker: o.worker,
      at: new Date().toISOString(),
    });
    o.logger.info("workspace delete request", { id: result.id, outcome: result.outcome, reason: result.reason });
    results.push(result);
  }
  if (results.some((r) => r.outcome === "deleted")) await beforeAnswering?.();
  for (const result of results) {
    await o.redis.set(workspaceDeleteResultKey(o.config.redisPrefix, result.requestId), JSON.stringify(result), "EX", WORKSPACE_DELETE_RESULT_TTL_SEC);
  }
  return results;
}

/**
 * Runs the rounds (every `reportEveryMs`, a third of the advert's lifetime by default) and the
 * delete requests (looked for every `pollMs`) until stopped; failures are logged and tried again.
 */
export function startWorkspaceAdmin(o: WorkspaceAdminOptions & { pollMs?: number; reportEveryMs?: number }): { stop: () => Promise<void> } {
  const disk = o.disk ?? createDiskUseCache();
  const options = { ...o, disk };
  let stopped = false;
  // One thing at a time: a round and a delete must not both walk and remove the same folders.
  let busy: Promise<void> = Promise.resolve();
  const serially = (fn: () => Promise<void>) => {
    busy = busy.then(fn).catch((e: unknown) => o.logger.warn("could not look after the workspaces", { error: errorMessage(e) }));
    return busy;
  };
  const round = () => serially(async () => {
    if (!stopped) await maintainWorkspaces(options);
  });
  let looking = false;
  const look = async () => {
    if (looking || stopped) return;
    looking = true;
    try {
      // Already inside `serially`: the round runs here, not queued behind itself.
      await takeDeleteRequests(options, () => maintainWorkspaces(options)).catch((e: unknown) => {
        o.logger.warn("could not read the workspace delete requests", { error: errorMessage(e) });
      });
    } finally {
      looking = false;
    }
  };
  void round();
  const roundTimer = setInterval(() => void round(), o.reportEveryMs ?? (ADVERT_TTL_SEC * 1000) / 3);
  const lookTimer = setInterval(() => void serially(look), o.pollMs ?? 500);
  roundTimer.unref();
  lookTimer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(roundTimer);
      clearInterval(lookTimer);
      await busy;
      await o.redis.del(workspaceReportKey(o.config.redisPrefix, o.worker)).catch(() => undefined);
    },
  };
}
