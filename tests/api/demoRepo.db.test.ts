import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GET as listRepos } from "@/app/api/repos/route";
import { DEMO_REPO_NAME, ensureDemoRepository } from "@/lib/services/demoRepo";
import { call, getApp, signUp } from "../support/web";

describe("the demo's sample repository", () => {
  it("is registered as \"demo\" once, for every user to pick, and an existing \"demo\" is left alone", async () => {
    const app = await getApp();
    const sample = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-demo-repo-"));
    expect(await ensureDemoRepository(app, sample)).toBe(true);
    // A restart of the demo registers nothing new.
    expect(await ensureDemoRepository(app, sample)).toBe(false);
    expect(await ensureDemoRepository(app, os.tmpdir())).toBe(false);

    const someone = await signUp("demo-newcomer@example.com");
    const res = await call(listRepos, "/api/repos", { as: someone });
    expect(res.status).toBe(200);
    const { repos } = (await res.json()) as { repos: { name: string; url: string }[] };
    expect(repos.filter((r) => r.name === DEMO_REPO_NAME)).toEqual([expect.objectContaining({ name: "demo", url: sample })]);
  }, 120_000);
});
