import { Job } from "bullmq";
import { createRepoChecksQueue, repoCheckResult, type RepoCheckPayload, type RepoCheckResult } from "../contracts/repoCheck";
import { AppError } from "../errors";
import type { App } from "../server/app";
import { liveWorkers } from "../workerDirectory";

const POLL_MS = 200;

/**
 * Asks a job process to look at a repository's remote (lib/contracts/repoCheck.ts) and waits
 * for its answer: the one path by which the web learns anything from a remote, since only job
 * processes hold credentials. `purpose` finishes the sentence "only a job process can …" in
 * the 503 the caller gets when no job process is running, or none answers within `waitMs`
 * (the job is then withdrawn, so it never runs later when nobody is looking).
 */
export async function requestRepoCheck(
  app: Pick<App, "redis" | "config">,
  payload: RepoCheckPayload,
  purpose: string,
  waitMs: number,
): Promise<RepoCheckResult> {
  if ((await liveWorkers(app.redis, app.config.redisPrefix)).length === 0) {
    throw new AppError(
      "unavailable",
      `No job process is running, and only a job process can ${purpose} (the credential lives in its environment). Start one (npm run worker) and try again.`,
    );
  }
  const queue = createRepoChecksQueue(app.redis, app.config.redisPrefix);
  try {
    const job = await queue.add("check", payload, {
      removeOnComplete: { age: 3600, count: 100 },
      removeOnFail: { age: 3600, count: 100 },
      attempts: 1,
    });
    const deadline = Date.now() + waitMs;
    for (;;) {
      const current = await Job.fromId<RepoCheckPayload, RepoCheckResult>(queue, job.id!);
      if (current?.finishedOn) {
        const parsed = repoCheckResult.safeParse(current.returnvalue);
        if (!parsed.success) {
          throw new AppError("unavailable", `The job process could not ${purpose}: ${current.failedReason ?? "no result"}`);
        }
        return parsed.data;
      }
      if (Date.now() >= deadline) {
        await current?.remove().catch(() => undefined);
        throw new AppError("unavailable", `No job process answered within ${Math.round(waitMs / 1000)} s; check that one is running and try again.`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    await queue.close();
  }
}
