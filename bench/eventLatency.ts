import { fork, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { appendEvent } from "../lib/eventLog";
import { rssBytes } from "../tests/support/server";
import { startBusyRunBench } from "./support/agentDeskBench";
import { mib, ms, percentile, type BenchResult } from "./stats";

/**
 * Event latency from the job process's append to an SSE client's receipt, through the real
 * web server (`npm start`), with 1, 200 and 500 concurrent viewers of one run; the baseline is
 * a client reading the same Redis stream directly (XREAD BLOCK), the floor any design pays,
 * measured during each phase so load affects both alike. Also the web process's memory idle
 * and with 500 viewers connected.
 *
 * The viewers live in child processes (bench/sseViewers.ts): a single bench process reading
 * 500 sockets in turn would stamp the last ones late by its own work, not the server's.
 */

const VIEWER_PROCESSES = 2;
const CLOCK_TICKS_PER_SEC = 100;

/** CPU time (user + system) a process has used so far, in ms: load-independent cost. */
function cpuMs(pid: number | null): number {
  if (!pid) return NaN;
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SEC;
}
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

type ViewerProcess = { child: ChildProcess; next: () => Promise<Record<string, unknown>> };

function startViewerProcess(): ViewerProcess {
  const child = fork(path.join(import.meta.dirname, "sseViewers.ts"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const inbox: Record<string, unknown>[] = [];
  let waiting: ((m: Record<string, unknown>) => void) | undefined;
  child.on("message", (m: Record<string, unknown>) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(m);
    } else inbox.push(m);
  });
  const next = () =>
    inbox.length ? Promise.resolve(inbox.shift()!) : new Promise<Record<string, unknown>>((resolve) => (waiting = resolve));
  return { child, next };
}

async function measure(opts: {
  viewers: number;
  events: number;
  spacingMs: number;
  streamUrl: () => Promise<string>;
  token: string;
  append: (n: number) => Promise<void>;
  sentAt: Map<number, number>;
  offset: number;
  onConnected?: () => void;
  webPid: number | null;
}) {
  // Each phase starts after what is already in the stream and times only its own events.
  const url = await opts.streamUrl();
  const processes = Array.from({ length: Math.min(VIEWER_PROCESSES, opts.viewers) }, startViewerProcess);
  const share = (i: number) => Math.floor(opts.viewers / processes.length) + (i < opts.viewers % processes.length ? 1 : 0);
  processes.forEach((p, i) => p.child.send({ open: { url, token: opts.token, count: share(i) } }));
  for (const p of processes) {
    const m = await p.next();
    if (!m.connected) throw new Error(`viewers failed to connect: ${String(m.failed)}`);
  }
  await new Promise((r) => setTimeout(r, 300));
  opts.onConnected?.();
  const from = nowMs();
  const cpuBefore = cpuMs(opts.webPid);
  for (let i = 0; i < opts.events; i++) {
    await opts.append(opts.offset + i);
    await new Promise((r) => setTimeout(r, opts.spacingMs));
  }
  // Give stragglers time to arrive (a missing sample is reported, not hidden).
  await new Promise((r) => setTimeout(r, 2_000));
  const webCpuPerEvent = (cpuMs(opts.webPid) - cpuBefore) / opts.events;
  const latencies: number[] = [];
  let duplicates = 0;
  for (const p of processes) {
    p.child.send({ report: true });
    const m = (await p.next()) as { samples: [number, number][]; duplicates: number; errors: string[] };
    for (const [n, at] of m.samples) {
      if (n >= opts.offset && n < opts.offset + opts.events) latencies.push(at - opts.sentAt.get(n)!);
    }
    duplicates += m.duplicates;
    if (m.errors.length) console.error("viewer errors:", m.errors.slice(0, 3));
  }
  return { all: latencies, missing: opts.viewers * opts.events - latencies.length, duplicates, from, to: nowMs(), webCpuPerEvent };
}

/**
 * EVENT_BENCH_DATABASE=postgres runs the web on a fresh database of the local PostgreSQL
 * (TEST_POSTGRES_URL, as the tests use) instead of embedded PGlite. With PGlite the recorder
 * projects every event inside the web process, on the same thread as the SSE fan-out; this
 * shows how much of the latency is that and how much is the fan-out itself.
 */
async function benchDatabase(): Promise<{ env: Record<string, string>; label: string; drop: () => Promise<void> }> {
  if (process.env.EVENT_BENCH_DATABASE !== "postgres") return { env: {}, label: "embedded PGlite", drop: async () => {} };
  const adminUrl = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `agentdesk_bench_${crypto.randomBytes(4).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await admin(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { env: { DATABASE_URL: url.toString() }, label: "PostgreSQL", drop: () => admin(`drop database if exists ${name} with (force)`) };
}

export async function benchEventLatency(): Promise<BenchResult> {
  const database = await benchDatabase();
  const { server, user, runId, redis, reader, log, cancel, close } = await startBusyRunBench(database.env);
  try {
    const base = server.url;
    const { token } = user;
    const sentAt = new Map<number, number>();
    const append = async (n: number) => {
      sentAt.set(n, nowMs());
      await appendEvent(log, runId, { type: "log", level: "info", message: `bench:${n}` });
    };
    const streamUrl = async () => {
      const tail = await redis.xrevrange(log.keys.runEvents(runId), "+", "-", "COUNT", 1);
      return `${base}/api/runs/${runId}/events?after=${tail[0]?.[0] ?? "0"}`;
    };

    // Baseline: a direct Redis reader of the same stream, running through every phase.
    const baseline: { at: number; latency: number }[] = [];
    let baselineRunning = true;
    const baselineLoop = (async () => {
      let last = "$";
      while (baselineRunning) {
        const res = (await reader.xread("BLOCK", 500, "STREAMS", log.keys.runEvents(runId), last)) as [string, [string, string[]][]][] | null;
        const now = nowMs();
        for (const [id, fields] of res?.[0]?.[1] ?? []) {
          last = id;
          const m = /"message":"bench:(\d+)"/.exec(fields.join(" "));
          if (m) baseline.push({ at: now, latency: now - sentAt.get(Number(m[1]))! });
        }
      }
    })();
    const baselineDuring = (phase: { from: number; to: number }) =>
      baseline.filter((b) => b.at >= phase.from && b.at <= phase.to).map((b) => b.latency);

    const webPid = server.webPid();
    const rss = () => (webPid ? rssBytes(webPid) : NaN);
    const idleRss = rss();
    // What the web burns with no events (timers, background scans): per-event CPU figures
    // below include this share of their phase's time.
    const idleCpuFrom = cpuMs(webPid);
    await new Promise((r) => setTimeout(r, 3_000));
    const idleCpuPerSec = (cpuMs(webPid) - idleCpuFrom) / 3;
    const one = await measure({ viewers: 1, events: 300, spacingMs: 10, streamUrl, token, append, sentAt, offset: 0, webPid });
    const many = await measure({ viewers: 200, events: 100, spacingMs: 20, streamUrl, token, append, sentAt, offset: 10_000, webPid });
    const beforeMostRss = rss();
    let connectedRss = NaN;
    const most = await measure({
      viewers: 500,
      events: 100,
      spacingMs: 20,
      streamUrl,
      token,
      append,
      sentAt,
      offset: 20_000,
      webPid,
      onConnected: () => (connectedRss = rss()),
    });
    const afterEventsRss = rss();
    // The same 500 viewers at a gentler rate: latency when the web is not saturated (at 50
    // events/s, 500 viewers and the embedded recorder can use more than one core).
    const mostSlower = await measure({ viewers: 500, events: 60, spacingMs: 50, streamUrl, token, append, sentAt, offset: 30_000, webPid });
    baselineRunning = false;
    await baselineLoop;
    await cancel();

    const pair = (v: number[]) => `p50 ${ms(percentile(v, 50)).padStart(9)}   p99 ${ms(percentile(v, 99)).padStart(9)}`;
    const row = (label: string, phase: Awaited<ReturnType<typeof measure>>) => {
      const notes = [`${phase.all.length} samples`, `web CPU ${ms(phase.webCpuPerEvent)}/event`];
      if (phase.missing) notes.push(`${phase.missing} missing`);
      if (phase.duplicates) notes.push(`${phase.duplicates} duplicated`);
      const floor = baselineDuring(phase);
      return `${label.padEnd(31)} ${pair(phase.all)}   (${notes.join(", ")});  baseline XREAD meanwhile ${pair(floor)}`;
    };
    const withMost = Math.max(connectedRss, afterEventsRss);
    return {
      name: `Event latency: job process append → SSE client (web on ${database.label})`,
      lines: [
        row("SSE, 1 client, 100 events/s", one),
        row("SSE, 200 clients, 50 events/s", many),
        row("SSE, 500 clients, 50 events/s", most),
        row("SSE, 500 clients, 20 events/s", mostSlower),
        `web CPU while idle: ${ms(idleCpuPerSec)} per second`,
        `p99 vs baseline p99: 1 client ${(percentile(one.all, 99) / percentile(baselineDuring(one), 99)).toFixed(2)}x (goal ≤ 2x); 500 clients ${ms(percentile(most.all, 99))} (goal < 50 ms)`,
        `web process memory: idle ${mib(idleRss)}; before the 500-client phase ${mib(beforeMostRss)}, with 500 SSE clients ${mib(connectedRss)}, after their events ${mib(afterEventsRss)}; growth ${mib(withMost - beforeMostRss)} (goal < 60 MiB)`,
      ],
    };
  } finally {
    await close();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchEventLatency().then(
    (r) => {
      console.log(`\n${r.name}\n${r.lines.map((l) => "  " + l).join("\n")}`);
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
