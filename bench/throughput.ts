import { performance } from "node:perf_hooks";
import path from "node:path";
import { asc, eq, inArray } from "drizzle-orm";
import { openDatabase } from "../lib/db/client";
import { run, runEvent } from "../lib/db/schema";
import { entryFields, eventLogKeys } from "../lib/eventLog";
import { jobEndingEventTypes, type EventType } from "../lib/events";
import { terminalStatuses } from "../lib/contracts/runLifecycle";
import { createRedis } from "../lib/redis";
import { createTestRepo } from "../tests/support/gitRepo";
import { startAgentDesk, type RunningAgentDesk } from "../tests/support/server";
import { mib, ms, percentile, type BenchResult } from "./stats";
import { benchUser, cpuSeconds, sampleRss, type BenchUser } from "./support/agentDeskBench";
import { runIfMain } from "./support/runIfMain";

/**
 * Runs per second through the real AgentDesk (`npm start`: web with embedded PGlite, recorder,
 * job process; WORKER_CONCURRENCY as configured, default 2 per job process) with no-op cli runs
 * (`true`) submitted through the HTTP API: at full speed (how many runs per second it finishes)
 * and at a steady rate (submit → terminal event time). The baseline is the same AgentDesk with
 * one job process, measured first in the same run; then a second job process joins (its own
 * DATA_DIR, as on another machine). Nothing may be lost: at the end every run's recorded events
 * in the database are checked (seq 1..n without a gap, run.queued first, the terminal event
 * last, the run's status terminal); a single failure fails the benchmark.
 */
const FULL_SPEED_RUNS = Number(process.env.BENCH_THROUGHPUT_RUNS ?? 60);
const STEADY_SECONDS = Number(process.env.BENCH_THROUGHPUT_STEADY_SEC ?? 20);
// Parallel submitters at full speed: enough to keep the queue full, as many users would.
const SUBMITTERS = 4;
const END_TIMEOUT_MS = 600_000;

type Ending = { at: number; type: EventType };
type Submitted = { id: string; at: number };
type PhaseFigures = {
  label: string;
  runs: number;
  seconds: number;
  latencies: number[];
  peaks: Record<string, number>;
  /** CPU seconds per run spent by the web and by the job processes (with their git and sandbox children). */
  cpuPerRun: { web: number; jobs: number };
};

/** Watches events:all for job-ending events, timestamped when they arrive (≈ when appended). */
function watchEndings(redisUrl: string, prefix: string) {
  const reader = createRedis(redisUrl, "blocking", "bench-throughput-endings");
  const key = eventLogKeys(prefix).allEvents;
  const endings = new Map<string, Ending>();
  let running = true;
  const loop = (async () => {
    let last = "$";
    while (running) {
      const res = (await reader.xread("COUNT", 1000, "BLOCK", 500, "STREAMS", key, last)) as [string, [string, string[]][]][] | null;
      const now = performance.now();
      for (const [id, fields] of res?.[0]?.[1] ?? []) {
        last = id;
        const entry = entryFields(fields);
        const type = (JSON.parse(entry.data ?? "{}") as { type?: EventType }).type;
        if (entry.run && type && jobEndingEventTypes.has(type) && !endings.has(entry.run)) endings.set(entry.run, { at: now, type });
      }
    }
  })();
  return {
    endings,
    waitFor: async (ids: string[]) => {
      const deadline = Date.now() + END_TIMEOUT_MS;
      while (ids.some((id) => !endings.has(id))) {
        if (Date.now() > deadline) throw new Error(`${ids.filter((id) => !endings.has(id)).length} runs did not end within ${END_TIMEOUT_MS} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: async () => {
      running = false;
      await loop;
      reader.disconnect();
    },
  };
}

async function fullSpeed(user: BenchUser, count: number): Promise<Submitted[]> {
  const submitted: Submitted[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: SUBMITTERS }, async () => {
      while (next < count) {
        next++;
        const at = performance.now();
        submitted.push({ id: await user.submit({ command: "true" }), at });
      }
    }),
  );
  return submitted;
}

async function steady(user: BenchUser, perSecond: number, seconds: number): Promise<Submitted[]> {
  const pending: Promise<Submitted>[] = [];
  const start = performance.now();
  const total = Math.max(1, Math.round(perSecond * seconds));
  for (let i = 0; i < total; i++) {
    // Submissions on a fixed schedule, not after the previous answer: the load does not slow down
    // when AgentDesk does.
    const due = start + (i * 1000) / perSecond;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    const at = performance.now();
    pending.push(user.submit({ command: "true" }).then((id) => ({ id, at })));
  }
  return Promise.all(pending);
}

/** Everything AgentDesk says about the runs, from its database, after it stopped. */
async function checkRecorded(server: RunningAgentDesk, ids: string[]): Promise<{ checked: number; events: number; problems: string[] }> {
  const database = openDatabase({ kind: "pglite", dir: path.join(server.dataDir, "pgdata") });
  try {
    const problems: string[] = [];
    const runs = await database.db.select({ id: run.id, status: run.status }).from(run).where(inArray(run.id, ids));
    const status = new Map(runs.map((r) => [r.id, r.status]));
    let events = 0;
    for (const id of ids) {
      const rows = await database.db
        .select({ seq: runEvent.seq, type: runEvent.type })
        .from(runEvent)
        .where(eq(runEvent.runId, id))
        .orderBy(asc(runEvent.streamMs), asc(runEvent.streamSeq));
      events += rows.length;
      const gap = rows.findIndex((r, i) => r.seq !== i + 1);
      const last = rows.at(-1);
      if (!status.has(id)) problems.push(`${id}: no run record`);
      else if (!(terminalStatuses as readonly string[]).includes(status.get(id)!)) problems.push(`${id}: status ${status.get(id)}`);
      if (gap >= 0) problems.push(`${id}: event ${gap + 1} has seq ${rows[gap]!.seq}`);
      if (rows[0]?.type !== "run.queued") problems.push(`${id}: first recorded event is ${rows[0]?.type ?? "missing"}`);
      if (!last || !jobEndingEventTypes.has(last.type as EventType)) problems.push(`${id}: last recorded event is ${last?.type ?? "missing"}`);
    }
    return { checked: ids.length, events, problems };
  } finally {
    await database.close();
  }
}

/** Waits until the web reports every run terminal: the recorder has projected their endings. */
async function waitRecorded(server: RunningAgentDesk, user: BenchUser, ids: string[]): Promise<void> {
  const deadline = Date.now() + END_TIMEOUT_MS;
  for (const id of ids) {
    for (;;) {
      const res = await fetch(`${server.url}/api/runs/${id}`, { headers: { authorization: `Bearer ${user.token}` } });
      const body = (await res.json()) as { status?: string };
      if ((terminalStatuses as readonly string[]).includes(body.status ?? "")) break;
      if (Date.now() > deadline) throw new Error(`run ${id} is still ${body.status} in the database`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function benchThroughput(): Promise<BenchResult> {
  const repo = await createTestRepo();
  const server = await startAgentDesk();
  const watcher = watchEndings(server.env.REDIS_URL!, server.env.REDIS_PREFIX!);
  const all: string[] = [];
  try {
    const user = await benchUser(server, repo.url);
    const pids = () => ({ web: [server.webPid()].filter((p): p is number => p !== null), jobs: server.jobPids() });

    const phase = async (label: string, submit: () => Promise<Submitted[]>): Promise<PhaseFigures> => {
      const watched = pids();
      const cpu = () => ({ web: watched.web.reduce((t, p) => t + cpuSeconds(p), 0), jobs: watched.jobs.reduce((t, p) => t + cpuSeconds(p), 0) });
      const cpuBefore = cpu();
      const sampler = sampleRss(watched);
      const submitted = await submit();
      const ids = submitted.map((s) => s.id);
      all.push(...ids);
      await watcher.waitFor(ids);
      const peaks = sampler.stop();
      const cpuAfter = cpu();
      const first = Math.min(...submitted.map((s) => s.at));
      const lastEnd = Math.max(...ids.map((id) => watcher.endings.get(id)!.at));
      const latencies = submitted.map((s) => watcher.endings.get(s.id)!.at - s.at);
      const cpuPerRun = { web: (cpuAfter.web - cpuBefore.web) / ids.length, jobs: (cpuAfter.jobs - cpuBefore.jobs) / ids.length };
      return { label, runs: ids.length, seconds: (lastEnd - first) / 1000, latencies, peaks, cpuPerRun };
    };

    // The repository's mirror, the sandbox and the web's routes are warm before anything counts.
    await phase("warm-up", () => fullSpeed(user, 4));
    const oneFull = await phase("1 job process, full speed", () => fullSpeed(user, FULL_SPEED_RUNS));
    // Both steady phases submit at the same rate: 70% of what one job process finished per second.
    const rate = Math.max(0.5, Math.round((oneFull.runs / oneFull.seconds) * 0.7 * 10) / 10);
    const oneSteady = await phase(`1 job process, steady ${rate}/s`, () => steady(user, rate, STEADY_SECONDS));
    await server.startJobProcess();
    await phase("warm-up of the second job process", () => fullSpeed(user, 4));
    const twoFull = await phase("2 job processes, full speed", () => fullSpeed(user, FULL_SPEED_RUNS));
    const twoSteady = await phase(`2 job processes, steady ${rate}/s`, () => steady(user, rate, STEADY_SECONDS));

    await waitRecorded(server, user, all);
    await watcher.close();
    await server.stop({ keepDataDir: true });
    const recorded = await checkRecorded(server, all);
    if (recorded.problems.length > 0) {
      throw new Error(`${recorded.problems.length} runs lost or incomplete:\n${recorded.problems.slice(0, 20).join("\n")}`);
    }

    const row = (f: PhaseFigures) =>
      `${f.label.padEnd(32)} ${(f.runs / f.seconds).toFixed(2).padStart(6)} runs/s   submit→end p50 ${ms(percentile(f.latencies, 50)).padStart(10)}  p99 ${ms(percentile(f.latencies, 99)).padStart(10)}   peak RSS web ${mib(f.peaks.web ?? NaN)}, job processes ${mib(f.peaks.jobs ?? NaN)}   CPU per run web ${ms(f.cpuPerRun.web * 1000)}, job processes ${ms(f.cpuPerRun.jobs * 1000)}   (${f.runs} runs)`;
    return {
      name: "Throughput: no-op cli runs through the HTTP API (baseline: one job process)",
      lines: [
        row(oneFull),
        row(twoFull),
        `two job processes over one, full speed: ${((twoFull.runs / twoFull.seconds) / (oneFull.runs / oneFull.seconds)).toFixed(2)}×`,
        row(oneSteady),
        row(twoSteady),
        `nothing lost: ${recorded.checked} runs checked in the database, ${recorded.events} recorded events, every run terminal with seq 1..n from run.queued to its ending`,
      ],
    };
  } finally {
    await watcher.close().catch(() => {});
    // Removes DATA_DIR, also after a stop that kept it for the check.
    await server.stop();
    await repo.remove();
  }
}

runIfMain(import.meta.url, benchThroughput);
