import type { Redis } from "ioredis";
import pg from "pg";
import { createRunEmitter } from "../../jobs/emit";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import { createRedis } from "../../lib/redis";
import { createTestRepo, type TestRepo } from "../../tests/support/gitRepo";
import { insertStackRepository } from "./repos";

/**
 * What a browser test needs to play the job process's part next to the real stack: a test
 * repository registered straight in the database (registering is an admin's job, and these
 * files' users are not the admin), a database client to wait on recorded rows, and the run's
 * event log to ask for input exactly as the agent loop does (jobs/humanInput.ts).
 */
export type JobSide = {
  repo: TestRepo;
  db: pg.Client;
  log: EventLog;
  /** The context requestHumanInput takes for `runId`. */
  inputContext: (runId: string) => { eventLog: EventLog; emit: ReturnType<typeof createRunEmitter>; runId: string; signal: AbortSignal; timeoutSec: number };
  close: () => Promise<void>;
};

export async function openJobSide(opts: { databaseUrl: string; redisUrl: string; redisPrefix: string; repoName: string; readme: string }): Promise<JobSide> {
  const repo = await createTestRepo({ files: { "README.md": opts.readme } });
  const db = new pg.Client({ connectionString: opts.databaseUrl });
  await db.connect();
  const redis: Redis = createRedis(opts.redisUrl, "worker");
  const log = createEventLog(redis, opts.redisPrefix);
  await insertStackRepository(db, { name: opts.repoName, url: repo.url });
  return {
    repo,
    db,
    log,
    inputContext: (runId) => ({ eventLog: log, emit: createRunEmitter(log, runId, []), runId, signal: new AbortController().signal, timeoutSec: 600 }),
    close: async () => {
      await redis.quit();
      await db.end();
      await repo.remove();
    },
  };
}
