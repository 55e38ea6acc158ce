import crypto from "node:crypto";
import fs from "node:fs";
import { createEventLog } from "../../lib/eventLog";
import { createRedis } from "../../lib/redis";
import { createTestRepo } from "../../tests/support/gitRepo";
import { rssBytes, signUpOverHttp, startAgentDesk, type RunningAgentDesk } from "../../tests/support/server";

/**
 * What the whole-AgentDesk benchmarks (bench/throughput.ts, bench/webMemory.ts) share: a user
 * with a registered repository who submits runs through the HTTP API, and peak memory sampling
 * of the running processes.
 */
export type BenchUser = {
  cookie: string;
  token: string;
  /** POST /api/runs against the registered repository; the new run's id. */
  submit: (body: Record<string, unknown>) => Promise<string>;
};

export async function benchUser(server: RunningAgentDesk, repoUrl: string, repoName = "bench"): Promise<BenchUser> {
  const { cookie, token } = await signUpOverHttp(server.url, `bench-${crypto.randomUUID()}@example.com`);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const repoRes = await fetch(`${server.url}/api/repos`, { method: "POST", headers, body: JSON.stringify({ name: repoName, url: repoUrl }) });
  if (repoRes.status !== 201) throw new Error(`registering the bench repository: ${repoRes.status} ${await repoRes.text()}`);
  return {
    cookie,
    token,
    submit: async (body) => {
      const res = await fetch(`${server.url}/api/runs`, { method: "POST", headers, body: JSON.stringify({ repo: repoName, ...body }) });
      if (res.status !== 201) throw new Error(`POST /api/runs: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    },
  };
}

/** Samples the resident memory of a set of processes every `everyMs` and keeps the peaks. */
export function sampleRss(pids: Record<string, number[]>, everyMs = 250) {
  const peaks: Record<string, number> = {};
  const take = () => {
    for (const [label, list] of Object.entries(pids)) {
      let total = 0;
      for (const pid of list) {
        try {
          total += rssBytes(pid);
        } catch {
          // the process ended between the listing and the read
        }
      }
      peaks[label] = Math.max(peaks[label] ?? 0, total);
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    /** Stops sampling and returns the peak of each label (bytes; a label's pids summed). */
    stop: () => {
      clearInterval(timer);
      take();
      return peaks;
    },
  };
}

// Linux reports CPU times in clock ticks; 100 per second on every common kernel configuration.
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds a process has used, with those of its children it has waited for (a job
 * process's git and sandbox processes), from /proc/<pid>/stat; 0 for a process that is gone.
 */
export function cpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return 0;
  }
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime, stime, cutime, cstime are fields 14-17 of the whole line, 12-15 after the name.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return ticks / TICKS_PER_SECOND;
}

/**
 * What the live-delivery benchmarks (bench/eventLatency.ts, bench/liveChannel.ts) start from:
 * AgentDesk running, a user with a run that stays busy while the bench appends to its log as
 * its job process would, a Redis connection to append with and one for the direct-XREAD baseline.
 */
export async function startBusyRunBench(serverEnv: Record<string, string> = {}) {
  const repo = await createTestRepo();
  const server = await startAgentDesk(serverEnv);
  const redis = createRedis(server.env.REDIS_URL!, "worker", "bench");
  const reader = createRedis(server.env.REDIS_URL!, "blocking", "bench-baseline");
  const close = async () => {
    redis.disconnect();
    reader.disconnect();
    await server.stop();
    await repo.remove();
  };
  try {
    const user = await benchUser(server, repo.url);
    const runId = await user.submit({ command: "sleep 600", timeoutSec: 900 });
    const cancel = () => fetch(`${server.url}/api/runs/${runId}/cancel`, { method: "POST", headers: { authorization: `Bearer ${user.token}` } });
    return { server, user, runId, redis, reader, log: createEventLog(redis, server.env.REDIS_PREFIX), cancel, close };
  } catch (err) {
    await close();
    throw err;
  }
}
