import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeEnvironmentFiles } from "../../jobs/environment/files";
import { environmentSecrets, parseDotenv } from "../../jobs/environment/secrets";
import { commitAll } from "../../jobs/git/commit";
import { findSecretsInBranch, secretsOfRun } from "../../jobs/review/branchSecrets";
import { maskSecrets } from "../../jobs/secrets";
import { prepareWorkspace, releaseWorkspace } from "../../jobs/workspace";
import { loadConfig } from "../../lib/config";
import { environmentSpec } from "../../lib/contracts/environment";
import { createTestRepo, type TestRepo } from "../support/gitRepo";

/**
 * The environment's variables are the run's secrets: masked in what the run shows, and looked
 * for by push protection, so a secret file's content copied under another name is caught.
 */
const DOTENV = [
  "# local settings",
  "STRIPE_SECRET=sk_live_4f8a1c93e2b7d605",
  "export DATABASE_URL='postgres://app:pg-pass-91ab3c@db:5432/app'",
  "NODE_ENV=development",
  "",
].join("\n");
const NPM_TOKEN_VALUE = "npm_setup_token_c83f0e1a";
const vars = { ENVFILES_DOTENV: DOTENV, ENVFILES_REGISTRY: NPM_TOKEN_VALUE, UNRELATED_TOKEN: "not-the-environments-1234" };
const spec = environmentSpec.parse({ setupEnvNames: ["ENVFILES_REGISTRY"], files: [{ path: ".env", env: "ENVFILES_DOTENV" }] });

describe("the environment's secrets", () => {
  it("are each variable's value, a file's value without its line breaks, and the secret values inside a dotenv file", () => {
    const found = environmentSecrets(spec, vars);
    const byValue = Object.fromEntries(found.map((s) => [s.value, s.name]));
    expect(byValue[DOTENV]).toBe("ENVFILES_DOTENV");
    expect(byValue[DOTENV.replace(/\n/g, "")]).toBe("ENVFILES_DOTENV");
    expect(byValue[NPM_TOKEN_VALUE]).toBe("ENVFILES_REGISTRY");
    expect(byValue["sk_live_4f8a1c93e2b7d605"]).toBe("ENVFILES_DOTENV (STRIPE_SECRET)");
    expect(byValue["pg-pass-91ab3c"]).toBe("ENVFILES_DOTENV (DATABASE_URL)");
    // Only what the environment reads, and not every line of a file: "development" is no secret.
    expect(found.map((s) => s.value)).not.toContain("not-the-environments-1234");
    expect(found.map((s) => s.value)).not.toContain("development");
    expect(found.map((s) => s.value.length)).toEqual([...found.map((s) => s.value.length)].sort((a, b) => b - a));
    expect(environmentSecrets(null, vars)).toEqual([]);
  });

  it("reads dotenv lines the way dotenv files write them", () => {
    expect(parseDotenv("A=1\nexport B = \"two words\"\nC='x' \nD=plain # comment\n# E=no\nnot a line\n")).toEqual({
      A: "1",
      B: "two words",
      C: "x",
      D: "plain",
    });
  });

  it("are masked in the run's output once part of the run's secrets", () => {
    process.env.ENVFILES_DOTENV = DOTENV;
    try {
      const secrets = secretsOfRun(loadConfig(), null, spec).map((s) => s.value);
      expect(maskSecrets(`cat .env\n${DOTENV}`, secrets)).toBe("cat .env\n***");
      expect(maskSecrets("key is sk_live_4f8a1c93e2b7d605.", secrets)).toBe("key is ***.");
    } finally {
      delete process.env.ENVFILES_DOTENV;
    }
  });
});

describe("push protection and the environment's files", () => {
  let repo: TestRepo;
  beforeAll(async () => {
    repo = await createTestRepo({ files: { "README.md": "hello\n" } });
    process.env.ENVFILES_DOTENV = DOTENV;
  });
  afterAll(async () => {
    delete process.env.ENVFILES_DOTENV;
    await repo?.remove();
  });

  it("finds the secret file's content copied to another path (cp .env leak.txt), and a secret line of it", async () => {
    const config = loadConfig();
    const ws = await prepareWorkspace({
      dataDir: config.dataDir,
      allowLocalRepos: true,
      runId: "envleak1",
      repo: { name: "test", url: repo.url },
      branch: "agentdesk/envleak-1",
      baseBranch: "main",
    });
    try {
      await placeEnvironmentFiles({ workspace: ws.path, files: spec.files, gitDir: ws.gitDir, baseSha: ws.baseSha });
      await fs.copyFile(path.join(ws.path, ".env"), path.join(ws.path, "leak.txt"));
      await fs.writeFile(path.join(ws.path, "config.js"), "export const stripe = 'sk_live_4f8a1c93e2b7d605';\n");
      const { headSha } = await commitAll({ tree: ws, author: config.gitAuthor, message: "leak\n" });

      const findings = await findSecretsInBranch({ gitDir: ws.gitDir }, ws.baseSha, headSha, secretsOfRun(config, null, spec));
      expect(findings).toEqual(
        expect.arrayContaining([
          { file: "leak.txt", line: 1, secret: "ENVFILES_DOTENV" },
          { file: "config.js", line: 1, secret: "ENVFILES_DOTENV (STRIPE_SECRET)" },
        ]),
      );
      // Without the environment the run's secrets do not know the file's content.
      const without = await findSecretsInBranch({ gitDir: ws.gitDir }, ws.baseSha, headSha, secretsOfRun(config, null, null));
      expect(without.filter((f) => f.secret.startsWith("ENVFILES_DOTENV"))).toEqual([]);
    } finally {
      await releaseWorkspace(ws, { endRun: true });
    }
  });
});
