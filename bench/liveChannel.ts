import { performance } from "node:perf_hooks";
import { appendEvent } from "../lib/eventLog";
import { rssBytes } from "../tests/support/server";
import { startBusyRunBench } from "./support/agentDeskBench";
import { mib, ms, percentile, type BenchResult } from "./stats";

/**
 * The users' live channel (GET /api/events) through the real web server (`npm start`): from a
 * job process appending an event that changes a run (running usage totals) to a browser's
 * channel hearing of it, after the recorder wrote it to the database; with 1 and with 200
 * open channels. Baseline: a client reading the job process's own stream `events:all`
 * directly (XREAD BLOCK), the floor before any database write. What the channel replaced is
 * printed beside: a list polling every 2 s (nav badge: 3 s) waits 1 s (1.5 s) on average.
 */

type Channel = { latencies: number[]; connected: Promise<void>; close: () => void };

/** One open channel; the k-th usage change of the run is timed against the k-th append. */
function openChannel(url: string, token: string, runId: string, sentAt: number[]): Channel {
  const controller = new AbortController();
  const latencies: number[] = [];
  let markConnected = () => {};
  const connected = new Promise<void>((r) => (markConnected = r));
  void (async () => {
    const res = await fetch(`${url}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    if (!res.ok) throw new Error(`channel ${res.status}: ${await res.text()}`);
    const decoder = new TextDecoder();
    let buffer = "";
    let seen = 0;
    const body = res.body!.getReader();
    for (let chunk = await body.read(); !chunk.done; chunk = await body.read()) {
      const now = performance.now();
      buffer += decoder.decode(chunk.value, { stream: true });
      let at: number;
      while ((at = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (block.includes("event: resync")) markConnected();
        if (!block.includes(`"runId":"${runId}"`) || !block.includes(`"kind":"usage"`)) continue;
        const index = seen++;
        if (sentAt[index] !== undefined) latencies.push(now - sentAt[index]!);
      }
    }
  })().catch((err: Error) => {
    if (err.name !== "AbortError") console.error("channel:", err.message);
  });
  return { latencies, connected, close: () => controller.abort() };
}

export async function benchLiveChannel(): Promise<BenchResult> {
  const { server, user, runId, reader, log, cancel, close } = await startBusyRunBench();
  try {
    const base = server.url;
    const { token } = user;
    let appended = 0;
    const append = async (sentAt: number[]) => {
      sentAt.push(performance.now());
      appended++;
      await appendEvent(log, runId, { type: "usage", inputTokens: appended, outputTokens: 1, cacheReadTokens: 0, costUsd: appended / 1000 });
    };

    const phase = async (channels: number, events: number, spacingMs: number, baseline?: number[]) => {
      const sentAt: number[] = [];
      // New channels per phase: each hears only this phase's changes (it starts with `resync`).
      const open = Array.from({ length: channels }, () => openChannel(base, token, runId, sentAt));
      await Promise.all(open.map((c) => c.connected));
      let rss = NaN;
      const webPid = server.webPid();
      if (webPid) rss = rssBytes(webPid);
      let baselineRunning = baseline !== undefined;
      const baselineLoop = (async () => {
        let last = "$";
        let seen = 0;
        while (baselineRunning) {
          const res = (await reader.xread("BLOCK", 500, "STREAMS", log.keys.allEvents, last)) as [string, [string, string[]][]][] | null;
          const now = performance.now();
          for (const [id, fields] of res?.[0]?.[1] ?? []) {
            last = id;
            if (fields.join(" ").includes('"type":"usage"') && sentAt[seen] !== undefined) baseline!.push(now - sentAt[seen++]!);
          }
        }
      })();
      await new Promise((r) => setTimeout(r, 300));
      for (let i = 0; i < events; i++) {
        await append(sentAt);
        await new Promise((r) => setTimeout(r, spacingMs));
      }
      const deadline = Date.now() + 15_000;
      while (open.some((c) => c.latencies.length < events) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      baselineRunning = false;
      await baselineLoop;
      open.forEach((c) => c.close());
      const all = open.flatMap((c) => c.latencies);
      return { all, missing: channels * events - all.length, rss };
    };

    const baseline: number[] = [];
    const idleRss = server.webPid() ? rssBytes(server.webPid()!) : NaN;
    const one = await phase(1, 200, 20, baseline);
    const many = await phase(200, 50, 50);
    await cancel();

    const row = (label: string, v: number[], missing = 0) =>
      `${label.padEnd(40)} p50 ${ms(percentile(v, 50)).padStart(9)}   p99 ${ms(percentile(v, 99)).padStart(9)}   (${v.length} samples${missing ? `, ${missing} missing` : ""})`;
    return {
      name: "Live channel: run change (job process append → recorder → database → user's channel)",
      lines: [
        row("baseline: direct XREAD of events:all", baseline),
        row("live channel, 1 open", one.all, one.missing),
        row("live channel, 200 open", many.all, many.missing),
        "replaced: runs list polling every 2 s (mean wait 1000 ms, 30 requests/min per tab) and nav badge every 3 s (1500 ms, 20/min); idle channel: 0 requests",
        `web process memory: idle ${mib(idleRss)}, 1 channel ${mib(one.rss)}, 200 channels ${mib(many.rss)}`,
      ],
    };
  } finally {
    await close();
  }
}
