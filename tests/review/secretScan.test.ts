import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSecretsInBranch, secretsOfRun } from "../../jobs/review/branchSecrets";
import { knownSecrets } from "../../lib/config";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";

// Push protection's scan of real git diffs (the worker pipeline is in secretPush*.test.ts).
const TOKEN = "ghp_scanTestToken4f9a1c7e2b";
const KEY = "sk-ant-scan-test-key-77c1e0";
const secrets = [
  { name: "REPO_TOKEN", value: TOKEN },
  { name: "ANTHROPIC_API_KEY", value: KEY },
];

let repo: TestRepo;
let base: string;
let n = 0;

beforeAll(async () => {
  repo = await createTestRepo({ files: { "README.md": "hello\n", "src/app.ts": "export const a = 1;\n" } });
  base = await git(repo.work, "rev-parse", "HEAD");
});
afterAll(async () => {
  await repo?.remove();
});

/** Commits `files` on a new branch from the base; returns the findings of base..head. */
async function scan(files: Record<string, string | Buffer | null>, ...more: Record<string, string | Buffer | null>[]) {
  const branch = `scan-${++n}`;
  let head = await repo.commit(files, "change", branch);
  for (const next of more) head = await repo.commit(next, "another change", branch);
  return findSecretsInBranch({ cwd: repo.work }, base, head, secrets);
}

const base64Of = (text: string) => execFileSync("base64", { input: text }).toString("utf8");

describe("secret scan of a branch's diff", () => {
  it("finds a raw value at its line in the new file, naming the variable, never the value", async () => {
    const findings = await scan({ "src/app.ts": `export const a = 1;\nconst b = 2;\nconst t = "${TOKEN}";\n`, "notes.txt": `key=${KEY}\n` });
    expect(findings).toEqual([
      { file: "notes.txt", line: 1, secret: "ANTHROPIC_API_KEY" },
      { file: "src/app.ts", line: 3, secret: "REPO_TOKEN" },
    ]);
    expect(JSON.stringify(findings)).not.toContain(TOKEN);
    expect(JSON.stringify(findings)).not.toContain(KEY);
  });

  it("finds nothing in a clean diff, nor in lines the branch removes", async () => {
    expect(await scan({ "src/app.ts": "export const a = 2;\n" })).toEqual([]);
    const added = await repo.commit({ "old.txt": `${TOKEN}\n`, "keep.txt": "x\n" }, "a secret on the base", "removes");
    const removed = await repo.commit({ "old.txt": null, "keep.txt": "y\n" }, "the secret removed", "removes");
    expect(await findSecretsInBranch({ cwd: repo.work }, added, removed, secrets)).toEqual([]);
  });

  it("finds the base64 of the value inside a longer encoded stream wrapped over lines (base64 of an environment)", async () => {
    // What `tr '\0' '\n' < /proc/$PPID/environ | base64` writes: the value at any offset, wrapped at 76 columns.
    for (const prefix of ["PATH=/usr/bin\nREPO_TOKEN=", "X=1\nREPO_TOKEN=", "HOME=/root\nLONGER_NAME_HERE=abc\nREPO_TOKEN="]) {
      const encoded = base64Of(`${prefix}${TOKEN}\nLANG=C.UTF-8\nTERM=xterm-256color\n`);
      const findings = await scan({ "env.b64": `first line\n${encoded}` });
      expect(findings.map((f) => [f.file, f.secret])).toEqual([["env.b64", "REPO_TOKEN"]]);
      // The match starts on the line (of the wrapped output) holding the value's first characters.
      expect(findings[0]!.line).toBeGreaterThanOrEqual(2);
    }
  });

  it("finds hex, URL-encoded and URL-safe base64 forms", async () => {
    const hex = Buffer.from(KEY).toString("hex");
    const urlSafe = Buffer.from(`xy${TOKEN}`).toString("base64url");
    const percent = Buffer.from(TOKEN)
      .toString("hex")
      .replace(/../g, "%$&")
      .toUpperCase();
    const findings = await scan({ "a.txt": `${hex}\n`, "b.txt": `curl 'https://x/?t=${percent}'\n`, "c.txt": `${urlSafe}\n` });
    expect(findings).toEqual([
      { file: "a.txt", line: 1, secret: "ANTHROPIC_API_KEY" },
      { file: "b.txt", line: 1, secret: "REPO_TOKEN" },
      { file: "c.txt", line: 1, secret: "REPO_TOKEN" },
    ]);
  });

  it("reads binary files and odd file names as they are, and reports a file name holding a value masked", async () => {
    const binary = Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0]), Buffer.from(TOKEN), Buffer.from([0, 0xc3])]);
    const findings = await scan({ "bin/blob.dat": binary, [`dir with space/ä ${TOKEN}.txt`]: "harmless\n", [`empty-${KEY}`]: "" });
    expect(findings).toContainEqual({ file: "bin/blob.dat", line: 2, secret: "REPO_TOKEN" });
    expect(findings).toContainEqual({ file: "dir with space/ä ***.txt", line: 0, secret: "REPO_TOKEN" });
    expect(findings).toContainEqual({ file: "empty-***", line: 0, secret: "ANTHROPIC_API_KEY" });
    expect(JSON.stringify(findings)).not.toContain(TOKEN);
  });

  it("finds a value deep in a large file, across the scanner's block boundary", async () => {
    const filler = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${"x".repeat(40)}`);
    // The value split over two lines at about the 1 MiB block boundary still counts.
    let size = 0;
    const at = filler.findIndex((line) => (size += line.length) >= 1024 * 1024);
    filler.splice(at, 0, `${TOKEN.slice(0, 9)}`, `${TOKEN.slice(9)} end`);
    filler.push(`last ${KEY}`);
    const findings = await scan({ "big.txt": `${filler.join("\n")}\n` });
    expect(findings).toEqual([
      { file: "big.txt", line: at + 1, secret: "REPO_TOKEN" },
      { file: "big.txt", line: filler.length, secret: "ANTHROPIC_API_KEY" },
    ]);
  }, 30_000);

  it("finds a value one commit added and a later commit removed: a push would still send it", async () => {
    const findings = await scan({ "leak.txt": `one\n${TOKEN}\n` }, { "leak.txt": "one\n" });
    expect(findings).toEqual([{ file: "leak.txt", line: 2, secret: "REPO_TOKEN" }]);
  });

  it("ignores the repository's diff configuration (no prefixes, relative paths, external diff, textconv)", async () => {
    await git(repo.work, "config", "diff.noprefix", "true");
    await git(repo.work, "config", "diff.mnemonicPrefix", "true");
    await git(repo.work, "config", "diff.external", "true");
    await git(repo.work, "config", "diff.relative", "true");
    try {
      const findings = await scan({ ".gitattributes": "*.txt -diff\n", "x.txt": `${TOKEN}\n` });
      expect(findings).toEqual([{ file: "x.txt", line: 1, secret: "REPO_TOKEN" }]);
    } finally {
      for (const key of ["diff.noprefix", "diff.mnemonicPrefix", "diff.external", "diff.relative"]) {
        await git(repo.work, "config", "--unset", key);
      }
    }
  });
});

describe("which secrets the job process holds for a run", () => {
  it("names every secret-looking variable, the repository credential and the model key, one name per value", () => {
    const env = { GITHUB_TOKEN: "tok-123456", REPO_CRED: "cred-abcdef", ALIAS_TOKEN: "cred-abcdef", HOME: "/root", SHORT_TOKEN: "abc" };
    expect(knownSecrets(["REPO_CRED"], env)).toEqual([
      { name: "REPO_CRED", value: "cred-abcdef" },
      { name: "GITHUB_TOKEN", value: "tok-123456" },
    ]);
    const held = secretsOfRun({ anthropicApiKey: "sk-from-config-999" }, null);
    expect(held).toContainEqual({ name: "ANTHROPIC_API_KEY", value: "sk-from-config-999" });
  });
});
