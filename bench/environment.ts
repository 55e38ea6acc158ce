import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { listCacheEntries, removeCacheEntry } from "../jobs/environment/cache";
import { prepareEnvironment } from "../jobs/environment/prepare";
import { prepareWorkspace, releaseWorkspace, type Workspace } from "../jobs/workspace";
import { formatBytes } from "../lib/byteSize";
import { environmentSpec, type EnvironmentSpec } from "../lib/contracts/environment";
import type { EventBodyInput } from "../lib/events";
import { createTestRepo } from "../tests/support/gitRepo";
import { npmProject, startNpmRegistry, type PublishedPackage } from "../tests/support/npmRegistry";
import { median, ms, type BenchResult } from "./stats";

/**
 * Repository environments: how long a run takes to have its workspace ready with the
 * project's dependencies installed. A Node repository whose setup is `npm ci` against a local
 * registry stand-in (PACKAGES packages of FILES_PER_PACKAGE files each, served on loopback,
 * reached through the sandbox's filtering proxy), measured three ways in the same process,
 * interleaved: an empty workspace (no environment: the baseline a cached run should approach),
 * a first run (the cache cleared: the setup runs in the sandbox and its result is cached), and
 * a cached run (the cache restored by copy). Each figure is workspace + environment, from the
 * real jobs/ code.
 */
const PACKAGES = 100;
const FILES_PER_PACKAGE = 60;
const RUNS = 5;

const run = promisify(execFile);

export async function benchEnvironment(): Promise<BenchResult> {
  const registry = await startNpmRegistry();
  const work = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-bench-env-"));
  const dataDir = path.join(work, "data");
  await fs.mkdir(dataDir);
  const workspaces: Workspace[] = [];
  let repo: Awaited<ReturnType<typeof createTestRepo>> | undefined;
  try {
    const deps: Record<string, PublishedPackage> = {};
    for (let p = 0; p < PACKAGES; p++) {
      const name = `bench-dep-${p}`;
      const files = Object.fromEntries(
        Array.from({ length: FILES_PER_PACKAGE }, (_, f) => [`lib/file${f}.js`, `// ${name} file ${f}\n${`module.exports.v${f} = ${f};\n`.repeat(30)}`]),
      );
      deps[name] = await registry.publish(name, "1.0.0", { "index.js": "module.exports = require('./lib/file0.js');\n", ...files });
    }
    repo = await createTestRepo({ files: { ...npmProject(registry, deps), "src/index.js": "console.log('app');\n" } });
    const npmCi: EnvironmentSpec = environmentSpec.parse({ setupScript: "npm ci", setupHosts: [registry.host], cacheKeyFiles: ["package-lock.json"] });

    let n = 0;
    type Step = Extract<EventBodyInput, { type: "environment.finished" }>;
    /** One delivery's preparation: its workspace, then its environment (none, or npm ci); its time and its environment step. */
    const prepare = async (environment: EnvironmentSpec | null): Promise<{ ms: number; step: Step | null }> => {
      let step: Step | null = null;
      n += 1;
      const started = performance.now();
      const workspace = await prepareWorkspace({
        dataDir,
        allowLocalRepos: true,
        runId: `benchenv${n}`,
        repo: { name: "bench-env", url: repo!.url },
        branch: `agentdesk/bench-env-${n}`,
        baseBranch: "main",
      });
      workspaces.push(workspace);
      await prepareEnvironment({
        payload: { repo: { name: "bench-env", url: repo!.url, credentialEnv: null, networkHosts: [] }, environment },
        workspace,
        emit: async (e: EventBodyInput) => {
          if (e.type !== "environment.finished") return;
          if (!e.ok) throw new Error(`the setup failed: ${e.error}`);
          step = e;
        },
        signal: new AbortController().signal,
        secrets: [],
        config: { dataDir },
        sandboxSettings: { mode: "on", allowPrivateNetwork: true, dataDir },
      });
      return { ms: performance.now() - started, step };
    };
    /** Its time, after checking the cache served it as expected. */
    const expect = (measured: { ms: number; step: Step | null }, cache: Step["cache"], into: number[]): number => {
      if (measured.step?.cache !== cache) throw new Error(`expected the environment's cache to be "${cache}", it was "${measured.step?.cache}"`);
      into.push(measured.step.durationMs);
      return measured.ms;
    };
    const clearCache = async () => {
      for (const entry of await listCacheEntries(dataDir)) await removeCacheEntry(dataDir, entry);
    };

    // The mirror's first fetch is the workspace benchmark's business, not this one's.
    await prepare(null);
    const empty: number[] = [];
    const first: number[] = [];
    const cached: number[] = [];
    const setupStep: number[] = [];
    const restoreStep: number[] = [];
    let size = { bytes: 0, files: 0 };
    for (let i = 0; i < RUNS; i++) {
      empty.push((await prepare(null)).ms);
      await clearCache();
      const setUp = await prepare(npmCi);
      first.push(expect(setUp, "miss", setupStep));
      size = { bytes: setUp.step?.bytes ?? 0, files: setUp.step?.files ?? 0 };
      cached.push(expect(await prepare(npmCi), "hit", restoreStep));
    }
    const downloads = Object.keys(deps).reduce((sum, name) => sum + registry.downloads(name), 0);
    const [e, f, c] = [median(empty), median(first), median(cached)];
    const fsType = (await run("stat", ["-f", "-c", "%T", dataDir]).catch(() => ({ stdout: "unknown" }))).stdout.trim();
    const list = (values: number[]) => `[${values.map((v) => v.toFixed(0)).join(", ")}]`;
    return {
      name: `repository environment: npm ci of ${PACKAGES} packages (${formatBytes(size.bytes)}, ${size.files} files), median of ${RUNS}`,
      lines: [
        `empty workspace (no environment):          ${ms(e)}   ${list(empty)}`,
        `first run (npm ci in the sandbox, cached): ${ms(f)}   ${list(first)}`,
        `cached run (restored from the cache):      ${ms(c)}   ${list(cached)}`,
        `cached run over an empty workspace:        +${ms(c - e)} (${(c / e).toFixed(2)}x); first run / cached run: ${(f / c).toFixed(1)}x`,
        `environment step alone: setup ${ms(median(setupStep))}, restore ${ms(median(restoreStep))}`,
        `tarball downloads: ${downloads} (${RUNS} setups × ${PACKAGES} packages; cached runs download nothing)`,
        `cache on ${fsType} (cp --reflink=auto: copy-on-write where the file system has it, else a plain copy)`,
      ],
    };
  } finally {
    for (const workspace of workspaces) await releaseWorkspace(workspace, { endRun: true }).catch(() => undefined);
    await repo?.remove();
    await registry.close();
    await fs.rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchEnvironment();
  console.log(result.name);
  for (const line of result.lines) console.log(`  ${line}`);
}
