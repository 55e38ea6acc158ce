import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { pgliteStartParams } from "../lib/db/client";
import { acceptedNodeFlags, WEB_NODE_FLAGS } from "../scripts/lib/webNodeFlags";
import { createTestRepo } from "../tests/support/gitRepo";
import { rssBytes, startAgentDesk } from "../tests/support/server";
import { mib, type BenchResult } from "./stats";
import { benchUser, sampleRss } from "./support/agentDeskBench";
import { runIfMain } from "./support/runIfMain";

const run = promisify(execFile);

/**
 * Where the web process's memory stands (`npm start`, embedded PGlite): idle after start, after
 * a sign-in and one load of each main page, and under load (SSE viewers of a busy run while
 * runs go through), with the supervisor's and the job process's beside it. Baselines in the
 * same run: a bare node process, and a plain node process that opens a PGlite data folder
 * alone, with PGlite's default settings, with AgentDesk's (lib/db/client.ts PGLITE_SETTINGS),
 * and with those and the web's node flags (scripts/lib/webNodeFlags.ts), so the figures show
 * what the database costs and what the rest costs.
 */
const VIEWERS = Number(process.env.BENCH_WEB_MEMORY_VIEWERS ?? 500);
const LOAD_RUNS = 20;
const MAIN_PAGES = ["/", "/runs/new", "/inbox", "/repos", "/rules", "/schedules", "/settings/tokens", "/settings/invitations", "/admin", "/admin/agents"];

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function nodeRss(args: string[]): Promise<number> {
  const { stdout } = await run(process.execPath, args, { cwd: path.join(import.meta.dirname, "support") });
  return (JSON.parse(stdout.trim().split("\n").at(-1)!) as { rss: number }).rss;
}

/** RSS of a bare node process, and of one that opened PGlite with the defaults and with ours. */
async function baselines(): Promise<{ bare: number; pgliteDefaults: number; pgliteOurs: number; pgliteOursFlags: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-bench-pglite-"));
  try {
    // The first open runs initdb (far more memory than any later open): not what is measured.
    await nodeRss(["pgliteAlone.mjs", dir]);
    const bare = await nodeRss(["-e", 'console.log(JSON.stringify({ rss: process.memoryUsage.rss() }))']);
    const pgliteDefaults = await nodeRss(["pgliteAlone.mjs", dir]);
    const pgliteOurs = await nodeRss(["pgliteAlone.mjs", dir, JSON.stringify(pgliteStartParams())]);
    const pgliteOursFlags = await nodeRss([...acceptedNodeFlags(WEB_NODE_FLAGS), "pgliteAlone.mjs", dir, JSON.stringify(pgliteStartParams())]);
    return { bare, pgliteDefaults, pgliteOurs, pgliteOursFlags };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An SSE viewer of a run that reads and drops everything until closed. */
function openViewer(url: string, token: string) {
  const controller = new AbortController();
  const connected = fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal }).then(async (res) => {
    if (!res.ok) throw new Error(`SSE ${res.status}: ${await res.text()}`);
    const body = res.body!.getReader();
    void (async () => {
      while (!(await body.read()).done) {
        // the bytes are not what is measured here
      }
    })().catch(() => {});
  });
  return { connected, close: () => controller.abort() };
}

export async function benchWebMemory(): Promise<BenchResult> {
  const base = await baselines();
  const repo = await createTestRepo();
  const server = await startAgentDesk();
  try {
    const webPid = server.webPid();
    if (!webPid) throw new Error("no web process found");
    const rssOf = (pids: (number | null)[]) => pids.reduce<number>((sum, p) => sum + (p ? rssBytes(p) : 0), 0);
    // The web finishes its start-up work (recorder, reconciler, schedules) in the background.
    await pause(5_000);
    const idle = rssBytes(webPid);
    const supervisor = rssOf([server.supervisorPid()]);
    const jobIdle = rssOf(server.jobPids());

    const user = await benchUser(server, repo.url);
    const doneRun = await user.submit({ command: "true" });
    const pages = [...MAIN_PAGES, `/runs/${doneRun}`];
    for (const page of pages) {
      const res = await fetch(`${server.url}${page}`, { headers: { cookie: user.cookie } });
      if (!res.ok) throw new Error(`GET ${page}: ${res.status}`);
      await res.text();
    }
    await pause(5_000);
    const warm = rssBytes(webPid);

    const busyRun = await user.submit({ command: "sleep 600", timeoutSec: 900 });
    const sampler = sampleRss({ web: [webPid], jobs: server.jobPids() });
    const viewers = Array.from({ length: VIEWERS }, () => openViewer(`${server.url}/api/runs/${busyRun}/events`, user.token));
    await Promise.all(viewers.map((v) => v.connected));
    const withViewers = rssBytes(webPid);
    const runs: string[] = [];
    for (let i = 0; i < LOAD_RUNS; i++) runs.push(await user.submit({ command: "true" }));
    for (const id of runs) {
      for (;;) {
        const res = await fetch(`${server.url}/api/runs/${id}`, { headers: { authorization: `Bearer ${user.token}` } });
        if (((await res.json()) as { status: string }).status === "completed") break;
        await pause(200);
      }
    }
    const peaks = sampler.stop();
    viewers.forEach((v) => v.close());
    await fetch(`${server.url}/api/runs/${busyRun}/cancel`, { method: "POST", headers: { authorization: `Bearer ${user.token}` } });
    await pause(5_000);
    const after = rssBytes(webPid);

    return {
      name: "Web process memory (RSS), npm start with embedded PGlite",
      lines: [
        `baseline: bare node ${mib(base.bare)}; node + PGlite alone: PGlite's defaults ${mib(base.pgliteDefaults)}, AgentDesk's settings ${mib(base.pgliteOurs)}, and the web's node flags (${WEB_NODE_FLAGS.join(" ")}) ${mib(base.pgliteOursFlags)}`,
        `web idle after start                ${mib(idle)}`,
        `web after sign-in + ${pages.length} pages         ${mib(warm)}`,
        `web with ${VIEWERS} SSE viewers          ${mib(withViewers)}  (growth ${mib(withViewers - warm)})`,
        `web peak, viewers + ${LOAD_RUNS} runs         ${mib(peaks.web ?? NaN)}`,
        `web after the load (viewers gone)   ${mib(after)}`,
        `beside it: npm start supervisor ${mib(supervisor)}, job process idle ${mib(jobIdle)}, peak under load ${mib(peaks.jobs ?? NaN)}`,
      ],
    };
  } finally {
    await server.stop();
    await repo.remove();
  }
}

runIfMain(import.meta.url, benchWebMemory);
