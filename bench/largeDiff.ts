import { chromium, type Browser } from "playwright-core";
import { createTestRepo } from "../tests/support/gitRepo";
import { startAgentDesk } from "../tests/support/server";
import { median, mib, ms, type BenchResult } from "./stats";
import { benchUser, type BenchUser } from "./support/agentDeskBench";
import { runIfMain } from "./support/runIfMain";

/**
 * What the full-width review page costs the browser on a large diff: a cli run that adds 201
 * files of 30 lines (6,030 lines), its review page opened in Chromium, measured until the page
 * settles: main-thread task time (CDP Performance.getMetrics TaskDuration, script and layout
 * beside it), element count, JS heap. The baseline, in the same run and the same way: the review
 * page of a run that adds 5 such files. Each page is opened LOADS times in a fresh browser (a
 * fresh renderer, nothing cached) and the medians are printed.
 */
const LARGE_FILES = 201;
const SMALL_FILES = 5;
const LINES_PER_FILE = 30;
const LOADS = Number(process.env.BENCH_LARGE_DIFF_LOADS ?? 3);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// The page has settled when the main thread did less than this much work in QUIET_WINDOW_MS.
const QUIET_TASK_MS = 10;
const QUIET_WINDOW_MS = 750;
const SETTLE_TIMEOUT_MS = 60_000;

/** A shell command (the run's `command`) that writes `count` files of LINES_PER_FILE lines in 12 folders. */
const writeFilesCommand = (count: number) =>
  `for i in $(seq 1 ${count}); do d=src/pkg$((i % 12)); mkdir -p $d; ` +
  `for n in $(seq 1 ${LINES_PER_FILE}); do echo "export const value$n = $i * $n; // line $n of file $i"; done > $d/file$i.ts; done`;

async function runAwaitingReview(server: { url: string }, user: BenchUser, files: number): Promise<string> {
  const id = await user.submit({ command: writeFilesCommand(files), timeoutSec: 300 });
  const deadline = Date.now() + 300_000;
  for (;;) {
    const res = await fetch(`${server.url}/api/runs/${id}`, { headers: { authorization: `Bearer ${user.token}` } });
    const { status } = (await res.json()) as { status: string };
    if (status === "awaiting_review") {
      // The diff is recorded by the projection a moment after the status may read as ready.
      const diff = await fetch(`${server.url}/api/runs/${id}/diff`, { headers: { authorization: `Bearer ${user.token}` } });
      if (diff.ok) {
        const { files: listed } = (await diff.json()) as { files: unknown[] };
        if (listed.length !== files) throw new Error(`run ${id} changed ${listed.length} files, expected ${files}`);
        return id;
      }
    } else if (["failed", "cancelled", "completed"].includes(status)) {
      throw new Error(`the ${files}-file run ended ${status}`);
    }
    if (Date.now() > deadline) throw new Error(`the ${files}-file run is still ${status}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

type PageFigures = { taskMs: number; scriptMs: number; layoutMs: number; elements: number; heapUsed: number; heapAfterGc: number; settledMs: number };

/** Opens `url` in a fresh browser with the session cookie and measures it once it has settled. */
async function measure(url: string, cookie: string): Promise<PageFigures> {
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: { cookie } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable", { timeDomain: "timeTicks" });
    const metrics = async () => {
      const { metrics: list } = await cdp.send("Performance.getMetrics");
      return Object.fromEntries(list.map((m) => [m.name, m.value])) as Record<string, number>;
    };
    const started = Date.now();
    await page.goto(url, { waitUntil: "load" });
    await page.locator('[data-testid="diff-panel"]').waitFor({ timeout: SETTLE_TIMEOUT_MS });
    // Settled: the main thread stays (nearly) idle for a whole window.
    let last = (await metrics()).TaskDuration!;
    for (;;) {
      await new Promise((r) => setTimeout(r, QUIET_WINDOW_MS));
      const now = (await metrics()).TaskDuration!;
      if ((now - last) * 1000 < QUIET_TASK_MS) break;
      if (Date.now() - started > SETTLE_TIMEOUT_MS) throw new Error(`${url} did not settle within ${SETTLE_TIMEOUT_MS} ms`);
      last = now;
    }
    const settledMs = Date.now() - started - QUIET_WINDOW_MS;
    const m = await metrics();
    const elements = await page.evaluate(() => document.getElementsByTagName("*").length);
    await cdp.send("HeapProfiler.collectGarbage");
    const afterGc = await metrics();
    return {
      taskMs: m.TaskDuration! * 1000,
      scriptMs: m.ScriptDuration! * 1000,
      layoutMs: (m.LayoutDuration! + m.RecalcStyleDuration!) * 1000,
      elements,
      heapUsed: m.JSHeapUsedSize!,
      heapAfterGc: afterGc.JSHeapUsedSize!,
      settledMs,
    };
  } finally {
    await browser.close();
  }
}

function summary(label: string, loads: PageFigures[]): string {
  const med = (pick: (f: PageFigures) => number) => median(loads.map(pick));
  return (
    `${label.padEnd(30)} main thread ${ms(med((f) => f.taskMs))} (script ${ms(med((f) => f.scriptMs))}, style+layout ${ms(med((f) => f.layoutMs))}), ` +
    `${med((f) => f.elements)} elements, JS heap ${mib(med((f) => f.heapUsed))} (${mib(med((f) => f.heapAfterGc))} after GC), settled after ${ms(med((f) => f.settledMs))}`
  );
}

export async function benchLargeDiff(): Promise<BenchResult> {
  const repo = await createTestRepo({ files: { "README.md": "# large diff bench\n" } });
  const server = await startAgentDesk();
  try {
    const user = await benchUser(server, repo.url);
    const small = await runAwaitingReview(server, user, SMALL_FILES);
    const large = await runAwaitingReview(server, user, LARGE_FILES);
    const smallLoads: PageFigures[] = [];
    const largeLoads: PageFigures[] = [];
    // Interleaved, so a busy moment on the machine does not land on one side only.
    for (let i = 0; i < LOADS; i++) {
      smallLoads.push(await measure(`${server.url}/runs/${small}/review`, user.cookie));
      largeLoads.push(await measure(`${server.url}/runs/${large}/review`, user.cookie));
    }
    return {
      name: `Large diff review page in Chromium (1280x900, medians of ${LOADS} loads, each in a fresh browser)`,
      lines: [
        summary(`baseline: ${SMALL_FILES} files, ${SMALL_FILES * LINES_PER_FILE} lines`, smallLoads),
        summary(`${LARGE_FILES} files, ${LARGE_FILES * LINES_PER_FILE} lines`, largeLoads),
      ],
    };
  } finally {
    await server.stop();
    await repo.remove();
  }
}

runIfMain(import.meta.url, benchLargeDiff);
