import fs from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { buildReason } from "../../scripts/lib/buildIfNeeded";

const root = path.join(process.env.DATA_DIR as string, "project");

function write(rel: string, secondsAgo: number): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, rel);
  const when = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(file, when, when);
}

beforeEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
  write("app/page.tsx", 100);
  write("lib/config.ts", 100);
  write("package-lock.json", 100);
});

describe("buildReason", () => {
  it("builds when there is no build yet", () => {
    expect(buildReason(root)).toBe("no build yet");
  });

  it("does not build when the build is newer than every source", () => {
    write(".next/BUILD_ID", 10);
    expect(buildReason(root)).toBeNull();
  });

  it("rebuilds when a source file is newer, naming it", () => {
    write(".next/BUILD_ID", 10);
    write("components/deep/RunFeed.tsx", 1);
    expect(buildReason(root)).toBe(`${path.join("components", "deep", "RunFeed.tsx")} changed since the last build`);
  });

  it("rebuilds when the lock file or the Next config changes", () => {
    write(".next/BUILD_ID", 10);
    write("next.config.ts", 1);
    expect(buildReason(root)).toMatch(/^next\.config\.ts changed/);
  });

  it("ignores tests, node_modules and files outside the app", () => {
    write(".next/BUILD_ID", 10);
    write("lib/config.test.ts", 1);
    write("lib/node_modules/x/index.js", 1);
    write("jobs/main.ts", 1);
    write("README.md", 1);
    expect(buildReason(root)).toBeNull();
  });
});
