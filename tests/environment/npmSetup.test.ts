import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listCacheEntries, untrackedPaths } from "../../jobs/environment/cache";
import { EnvironmentSetupError } from "../../jobs/environment/prepare";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { greetingProject, npmProject, startNpmRegistry, type NpmRegistry } from "../support/npmRegistry";
import { npmCiSpec, ofKind, prepareIn, releaseAll, spec, stepNotes, stepOutput, testConfig } from "./support";

let registry: NpmRegistry;
let repo: TestRepo;

beforeAll(async () => {
  registry = await startNpmRegistry();
  repo = await createTestRepo({ files: await greetingProject(registry) });
}, 60_000);
afterAll(async () => {
  await releaseAll();
  await repo?.remove();
  await registry?.close();
});

describe("an npm ci setup in the sandbox", () => {
  it("installs from the registry through the filtering proxy once, then restores from the cache without a download", async () => {
    const first = await prepareIn(repo.url, npmCiSpec(registry));
    expect(first.error).toBeNull();
    expect(registry.downloads("greeting-lib")).toBe(1);
    expect(ofKind(first.events, "environment.started")[0]).toMatchObject({ source: "admin", cache: "miss" });
    const finished = ofKind(first.events, "environment.finished")[0]!;
    expect(finished).toMatchObject({ ok: true, cache: "miss" });
    expect(finished.bytes).toBeGreaterThan(0);
    expect(first.result).toMatchObject({ produced: ["node_modules"], cache: "miss" });
    expect(await fs.readFile(path.join(first.workspace.path, "node_modules/greeting-lib/index.js"), "utf8")).toContain("hello");
    expect(stepNotes(first.events).some((n) => n.startsWith("Cached for the next runs"))).toBe(true);

    const entries = (await listCacheEntries(testConfig.dataDir)).filter((e) => e.repo === "env-repo");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ baseSha: first.workspace.baseSha, paths: ["node_modules"] });

    const second = await prepareIn(repo.url, npmCiSpec(registry));
    expect(second.error).toBeNull();
    expect(registry.downloads("greeting-lib")).toBe(1);
    expect(ofKind(second.events, "environment.started")[0]).toMatchObject({ cache: "hit" });
    expect(ofKind(second.events, "environment.finished")[0]).toMatchObject({ ok: true, cache: "hit", bytes: entries[0]!.bytes, files: entries[0]!.files });
    expect(stepOutput(second.events)).toBe("");
    expect(await untrackedPaths(second.workspace)).toEqual(["node_modules"]);
    expect(await fs.readFile(path.join(second.workspace.path, "node_modules/greeting-lib/index.js"), "utf8")).toContain("hello");
    // The environment's output is excluded from the run's commits.
    expect(await fs.readFile(path.join(second.workspace.gitDir, "info/exclude"), "utf8")).toContain("/node_modules");
  });

  it("a run that changes its node_modules leaves the cache as it was for the next run", async () => {
    const first = await prepareIn(repo.url, npmCiSpec(registry));
    const installed = path.join("node_modules", "greeting-lib", "index.js");
    const original = await fs.readFile(path.join(first.workspace.path, installed), "utf8");
    await fs.writeFile(path.join(first.workspace.path, installed), "module.exports = () => 'poisoned';\n");
    await fs.rm(path.join(first.workspace.path, "node_modules", "greeting-lib", "package.json"));
    const downloads = registry.downloads("greeting-lib");
    const next = await prepareIn(repo.url, npmCiSpec(registry));
    expect(next.result?.cache).toBe("hit");
    expect(registry.downloads("greeting-lib")).toBe(downloads);
    expect(await fs.readFile(path.join(next.workspace.path, installed), "utf8")).toBe(original);
    expect(await fs.stat(path.join(next.workspace.path, "node_modules", "greeting-lib", "package.json"))).toBeTruthy();
  });

  it("a changed package-lock.json is a new key: the new version is installed and cached beside the old one", async () => {
    const v2 = await registry.publish("greeting-lib", "2.0.0", { "index.js": "module.exports = (name) => `hello ${name}`; module.exports.v2 = true;\n" });
    expect((await prepareIn(repo.url, npmCiSpec(registry))).result?.cache).toBe("hit");
    const { "package.json": packageJson, "package-lock.json": lock } = npmProject(registry, { "greeting-lib": v2 });
    await repo.commit({ "package.json": packageJson!, "package-lock.json": lock! }, "greeting-lib 2");
    const upgraded = await prepareIn(repo.url, npmCiSpec(registry));
    expect(upgraded.result?.cache).toBe("miss");
    expect(registry.requests).toContain("GET /greeting-lib/-/greeting-lib-2.0.0.tgz");
    expect(await fs.readFile(path.join(upgraded.workspace.path, "node_modules/greeting-lib/index.js"), "utf8")).toContain("v2");
    expect((await listCacheEntries(testConfig.dataDir)).filter((e) => e.repo === "env-repo").length).toBeGreaterThanOrEqual(2);
  });

  it("fails with the script's exit code and output; nothing is cached, and the next run sets up again", async () => {
    const failing = spec({ setupScript: "echo installing things; echo 'something broke' >&2; exit 3" });
    const first = await prepareIn(repo.url, failing, { repoName: "failing-repo" });
    expect(first.error).toBeInstanceOf(EnvironmentSetupError);
    expect((first.error as Error).message).toBe("environment setup failed (exit 3)");
    expect(ofKind(first.events, "environment.finished")[0]).toMatchObject({ ok: false, cache: "miss", exitCode: 3, error: "environment setup failed (exit 3)" });
    expect(stepOutput(first.events)).toContain("installing things\n");
    expect(stepOutput(first.events)).toContain("something broke\n");
    expect((await listCacheEntries(testConfig.dataDir)).filter((e) => e.repo === "failing-repo")).toEqual([]);

    const again = await prepareIn(repo.url, failing, { repoName: "failing-repo" });
    expect(ofKind(again.events, "environment.started")[0]).toMatchObject({ cache: "miss" });
    expect(stepOutput(again.events)).toContain("installing things\n");
  });

  it("a setup reaching a host that is not among its hosts fails: the proxy refuses it", async () => {
    const other = await startNpmRegistry();
    try {
      const attempt = await prepareIn(repo.url, spec({ setupScript: `curl -sS --fail-with-body ${other.url}greeting-lib`, setupHosts: [registry.host] }), {
        repoName: "net-repo",
      });
      expect(attempt.error).toBeInstanceOf(EnvironmentSetupError);
      expect(stepOutput(attempt.events)).toContain(`${other.host} is not on this repository's network allow-list`);
      expect(other.requests).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
