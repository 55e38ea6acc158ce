import { describe, expect, it } from "vitest";
import { ConfigError, knownSecretValues, loadConfig, readCredential } from "@/lib/config";

describe("configuration", () => {
  it("has working defaults", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, appUrl: "http://localhost:3000", redisUrl: "redis://127.0.0.1:6379", redisPrefix: "", workerConcurrency: 2, allowLocalRepos: false });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toMatch(/\.data$/);
    expect(c.workspacePoolSize).toBe(1);
    expect(loadConfig({ WORKSPACE_POOL_SIZE: "0" }).workspacePoolSize).toBe(0);
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["APP_URL", "not a url"],
    ["DATABASE_URL", "mysql://x"],
    ["REDIS_URL", "http://127.0.0.1:6379"],
    ["WORKER_CONCURRENCY", "0"],
    ["AUTH_SECRET", "short"],
    ["GIT_AUTHOR_EMAIL", "nobody"],
    ["ALLOW_LOCAL_REPOS", "yes please"],
    ["REDIS_PREFIX", "has space"],
    ["WORKSPACE_POOL_SIZE", "-1"],
    ["WORKSPACE_POOL_SIZE", "17"],
  ])("refuses %s=%s naming the variable", (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual([name]);
    expect((error as Error).message).toContain(name);
  });

  it("derives APP_URL from PORT and treats empty optional values as unset", () => {
    const c = loadConfig({ PORT: "4100", DATABASE_URL: "", ANTHROPIC_API_KEY: " " });
    expect(c.appUrl).toBe("http://localhost:4100");
    expect(c.databaseUrl).toBeUndefined();
    expect(c.anthropicApiKey).toBeUndefined();
  });

  it("reads credentials only by a valid variable name, and knows which values are secret", () => {
    const env = { GITHUB_TOKEN: "ghp_abcdef123456", REPO_CRED: "s3cr3t-value", PATH: "/usr/bin", SHORT_TOKEN: "abc" };
    expect(readCredential("GITHUB_TOKEN", env)).toBe("ghp_abcdef123456");
    expect(readCredential("github_token; rm -rf /", env)).toBeUndefined();
    expect(readCredential("MISSING", env)).toBeUndefined();
    const secrets = knownSecretValues(["REPO_CRED"], env);
    expect(secrets).toEqual(expect.arrayContaining(["ghp_abcdef123456", "s3cr3t-value"]));
    expect(secrets).not.toContain("/usr/bin");
    expect(secrets).not.toContain("abc");
  });
});

describe("empty values", () => {
  it("treats VAR= as unset for every variable", () => {
    const c = loadConfig({ AGENT_MODEL: "", GIT_AUTHOR_NAME: "", WORKER_CONCURRENCY: "", PORT: "" });
    expect(c).toMatchObject({ agentModel: "claude-sonnet-4-6", gitAuthor: { name: "AgentDesk" }, workerConcurrency: 2, port: 3000 });
  });
});
