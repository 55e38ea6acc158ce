import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { branchName, runBranchName } from "@/lib/gitNames";
import { normalizeRepoUrl } from "@/lib/services/repos";

describe("git names", () => {
  it.each(["main", "release/1.2", "feature/x-y_z", "agentdesk/fix-1234abcd"])("accepts branch %s", (b) => {
    expect(branchName.safeParse(b).success).toBe(true);
  });

  it.each(["", "-rf", "--upload-pack=x", "a..b", "a b", "x.lock", "a/", "/a", "a//b", "a@{1}", "a~1", "a^", "a:b", "a?", "a*", "a[", "a\\b", "@", "a\u0000b"])(
    "refuses branch %j",
    (b) => {
      expect(branchName.safeParse(b).success).toBe(false);
    },
  );

  it("names run branches agentdesk/<slug>-<short id>", () => {
    const id = "3f2a9c1e-0000-4000-8000-000000000000";
    expect(runBranchName("Fix the login bug!", id)).toBe("agentdesk/fix-the-login-bug-3f2a9c1e");
    expect(runBranchName("   ", id)).toBe("agentdesk/run-3f2a9c1e");
    expect(runBranchName("Ünïcödé ✓ " + "x".repeat(100), id)).toMatch(/^agentdesk\/unicode-x+-3f2a9c1e$/);
    expect(branchName.safeParse(runBranchName("$(rm -rf /) `x`", id)).success).toBe(true);
  });
});

describe("repository URLs", () => {
  it.each([
    "https://github.com/acme/app.git",
    "ssh://git@github.com/acme/app.git",
    "git@github.com:acme/app.git",
  ])("accepts remote %s", (url) => {
    expect(normalizeRepoUrl(url, false)).toBeTruthy();
  });

  it("refuses local paths unless allowed, and credentials in URLs always", () => {
    expect(() => normalizeRepoUrl("/tmp", false)).toThrow(/ALLOW_LOCAL_REPOS/);
    expect(() => normalizeRepoUrl("file:///tmp", false)).toThrow(AppError);
    expect(normalizeRepoUrl("/tmp/", true)).toBe("/tmp");
    expect(() => normalizeRepoUrl("https://x:tok@github.com/a/b", true)).toThrow(/credentialEnv/);
    expect(() => normalizeRepoUrl("https://tok@github.com/a/b", true)).toThrow(/credentialEnv/);
    expect(() => normalizeRepoUrl("javascript:alert(1)", true)).toThrow(/not supported/);
  });
});
