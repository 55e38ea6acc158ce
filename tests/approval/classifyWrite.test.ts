import { describe, expect, it } from "vitest";
import { classifyWrite } from "@/lib/approval";

describe("classifyWrite", () => {
  it.each([
    ".github/workflows/ci.yml",
    ".GitHub/workflows/ci.yml",
    ".gitlab-ci.yml",
    ".circleci/config.yml",
    "Jenkinsfile",
    "ci/Jenkinsfile",
    ".travis.yml",
    "azure-pipelines.yml",
    ".gitattributes",
    ".gitmodules",
    ".husky/pre-commit",
    "package.json",
    "packages/app/package.json",
    ".npmrc",
    ".envrc",
    ".vscode/tasks.json",
    "./.github/../.github/x",
    "../elsewhere.txt",
    "/etc/passwd",
    "~/.bashrc",
  ])("%s is risky, with a reason", (path) => {
    const result = classifyWrite(path);
    expect(result.level).toBe("risky");
    expect(result.reasons).toHaveLength(1);
  });

  it.each(["src/index.ts", ".gitignore", "docs/github.md", "README.md", "github/notes.txt", "package-lock.json", "src/.github.ts"])(
    "%s is safe",
    (path) => expect(classifyWrite(path)).toEqual({ level: "safe", reasons: [] }),
  );

  it("denies writes into .git/", () => {
    expect(classifyWrite(".git/hooks/post-checkout").level).toBe("denied");
    expect(classifyWrite(".git/config").level).toBe("denied");
  });
});
