import crypto from "node:crypto";
import { performance } from "node:perf_hooks";
import { appendEvent, createEventLog } from "../lib/eventLog";
import { createRedis } from "../lib/redis";
import { createTestRepo } from "../tests/support/gitRepo";
import { rssBytes, signUpOverHttp, startAgentDesk } from "../tests/support/server";
import { mib, ms, percentile, type BenchResult } from "./stats";

/**
 * Event latency from the job process's append to an SSE client's receipt, through the real
 * web server (`npm start`), with 1 and with 200 concurrent viewers of one run; the baseline is a
 * client reading the same Redis stream directly (XREAD BLOCK), the floor any design pays.
 */

type Viewer = { latencies: number[]; connected: Promise<void>; close: () => void };

function openViewer(url: string, token: string, sentAt: Map<number, number>, counts: (n: number) => boolean): Viewer {
  const controller = new AbortController();
  const latencies: number[] = [];
  let markConnected = () => {};
  const connected = new Promise<void>((r) => (markConnected = r));
  void (async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    if (!res.ok) throw new Error(`SSE ${res.status}: ${await res.text()}`);
    markConnected();
    const decoder = new TextDecoder();
    let buffer = "";
    const body = res.body!.getReader();
    for (let chunk = await body.read(); !chunk.done; chunk = await body.read()) {
      const now = performance.now();
      buffer += decoder.decode(chunk.value, { stream: true });
      let at: number;
      while ((at = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const m = /"message":"bench:(\d+)"/.exec(block);
        if (m && counts(Number(m[1]))) latencies.push(now - sentAt.get(Number(m[1]))!);
      }
    }
  })().catch((err: Error) => {
    if (err.name !== "AbortError") console.error("viewer:", err.message);
  });
  return { latencies, connected, close: () => controller.abort() };
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
}) {
  // Each phase starts after what is already in the stream and times only its own events.
  const url = await opts.streamUrl();
  const counts = (n: number) => n >= opts.offset && n < opts.offset + opts.events;
  const viewers = Array.from({ length: opts.viewers }, () => openViewer(url, opts.token, opts.sentAt, counts));
  await Promise.all(viewers.map((v) => v.connected));
  await new Promise((r) => setTimeout(r, 300));
  opts.onConnected?.();
  for (let i = 0; i < opts.events; i++) {
    await opts.append(opts.offset + i);
    await new Promise((r) => setTimeout(r, opts.spacingMs));
  }
  const deadline = Date.now() + 10_000;
  while (viewers.some((v) => v.latencies.length < opts.events) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  viewers.forEach((v) => v.close());
  const all = viewers.flatMap((v) => v.latencies);
  const missing = opts.viewers * opts.events - all.length;
  return { all, missing };
}

export async function benchEventLatency(): Promise<BenchResult> {
  const repo = await createTestRepo();
  const server = await startAgentDesk();
  const redis = createRedis(server.env.REDIS_URL!, "worker", "bench");
  const reader = createRedis(server.env.REDIS_URL!, "blocking", "bench-baseline");
  try {
    const base = server.url;
    const { token } = await signUpOverHttp(base, `bench-${crypto.randomUUID()}@example.com`);
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const repoRes = await fetch(`${base}/api/repos`, { method: "POST", headers: auth, body: JSON.stringify({ name: "bench", url: repo.url }) });
    if (repoRes.status !== 201) throw new Error(`repo: ${repoRes.status} ${await repoRes.text()}`);
    // A run that stays busy while we append to its log, as its job process would.
    const runRes = await fetch(`${base}/api/runs`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ repo: "bench", command: "sleep 600", timeoutSec: 900 }),
    });
    const { id: runId } = (await runRes.json()) as { id: string };
    const log = createEventLog(redis, server.env.REDIS_PREFIX);
    const sentAt = new Map<number, number>();
    const append = async (n: number) => {
      sentAt.set(n, performance.now());
      await appendEvent(log, runId, { type: "log", level: "info", message: `bench:${n}` });
    };
    const streamUrl = async () => {
      const tail = await redis.xrevrange(log.keys.runEvents(runId), "+", "-", "COUNT", 1);
      return `${base}/api/runs/${runId}/events?after=${tail[0]?.[0] ?? "0"}`;
    };

    // Baseline: a direct Redis reader of the same stream.
    const baseline: number[] = [];
    let baselineRunning = true;
    const baselineLoop = (async () => {
      let last = "$";
      while (baselineRunning) {
        const res = (await reader.xread("BLOCK", 500, "STREAMS", log.keys.runEvents(runId), last)) as [string, [string, string[]][]][] | null;
        const now = performance.now();
        for (const [id, fields] of res?.[0]?.[1] ?? []) {
          last = id;
          const m = /"message":"bench:(\d+)"/.exec(fields.join(" "));
          if (m) baseline.push(now - sentAt.get(Number(m[1]))!);
        }
      }
    })();

    const webPid = server.webPid();
    const idleRss = webPid ? rssBytes(webPid) : NaN;
    const one = await measure({ viewers: 1, events: 300, spacingMs: 10, streamUrl, token, append, sentAt, offset: 0 });
    baselineRunning = false;
    await baselineLoop;
    let connectedRss = NaN;
    const many = await measure({
      viewers: 200,
      events: 100,
      spacingMs: 20,
      streamUrl,
      token,
      append,
      sentAt,
      offset: 10_000,
      onConnected: () => (connectedRss = webPid ? rssBytes(webPid) : NaN),
    });
    const afterRss = webPid ? rssBytes(webPid) : NaN;
    await fetch(`${base}/api/runs/${runId}/cancel`, { method: "POST", headers: auth });

    const row = (label: string, v: number[], missing = 0) =>
      `${label.padEnd(34)} p50 ${ms(percentile(v, 50)).padStart(9)}   p99 ${ms(percentile(v, 99)).padStart(9)}   (${v.length} samples${missing ? `, ${missing} missing` : ""})`;
    return {
      name: "Event latency: job process append → SSE client",
      lines: [
        row("baseline: direct Redis XREAD", baseline),
        row("SSE, 1 client", one.all, one.missing),
        row("SSE, 200 concurrent clients", many.all, many.missing),
        `overhead over baseline (1 client, p50): ${ms(percentile(one.all, 50) - percentile(baseline, 50))}`,
        `web process memory: idle ${mib(idleRss)}, with 200 SSE clients ${mib(connectedRss)}, after ${mib(afterRss)}`,
      ],
    };
  } finally {
    redis.disconnect();
    reader.disconnect();
    await server.stop();
    await repo.remove();
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
