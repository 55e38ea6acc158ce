import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collapsedByDefault, isGenerated, pairFilesWithPatch } from "@/components/diff/patchSections";
import { diffCommits } from "@/jobs/git/diff";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";

/**
 * The diff viewer's split of git's patch into files, on a real diff: every file gets its own
 * section (renames and odd names included), a patch cut at the size cap leaves the files it cut
 * without one, and lock, generated and large files are the ones that start collapsed.
 */
let repo: TestRepo;
let base = "";
let head = "";
const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} ${i + 1}`).join("\n") + "\n";

beforeAll(async () => {
  repo = await createTestRepo({ files: { "src/app.ts": lines(10, "app"), "docs/old name.md": lines(20, "doc") } });
  base = await git(repo.work, "rev-parse", "HEAD");
  head = await repo.commit(
    {
      "src/app.ts": lines(10, "app").replace("app 5", "app five"),
      "docs/old name.md": null,
      "docs/new name.md": lines(20, "doc"),
      "package-lock.json": '{\n  "lockfileVersion": 3\n}\n',
      "dist/bundle.min.js": "x\n",
      "data/big.csv": lines(450, "row"),
      "src/small.ts": lines(3, "small"),
    },
    "changes",
  );
});

afterAll(async () => {
  await repo?.remove();
});

describe("pairFilesWithPatch", () => {
  it("gives each file its own section of the patch, renames included", async () => {
    const diff = await diffCommits({ cwd: repo.work }, base, head);
    const files = pairFilesWithPatch(diff.files, diff.patch, diff.truncated);
    expect(files.map((f) => f.path)).toEqual(diff.files.map((f) => f.path));
    for (const f of files) {
      expect(f.patch, f.path).toMatch(/^diff --git /);
      expect(f.patch, f.path).toContain(f.path);
      expect(f.patchLines).toBeGreaterThan(2);
    }
    const renamed = files.find((f) => f.status === "renamed")!;
    expect(renamed).toMatchObject({ oldPath: "docs/old name.md", path: "docs/new name.md" });
    expect(files.find((f) => f.path === "data/big.csv")!.patchLines).toBeGreaterThan(450);
  });

  it("leaves the files past the size cap without a section, never a wrong one", async () => {
    const full = await diffCommits({ cwd: repo.work }, base, head);
    // A cap a couple of lines into the last file's section: the cut goes through it.
    const cut = await diffCommits({ cwd: repo.work }, base, head, full.patch.lastIndexOf("diff --git ") + 80);
    expect(cut.truncated).toBe(true);
    const files = pairFilesWithPatch(cut.files, cut.patch, cut.truncated);
    const withPatch = files.filter((f) => f.patch !== null);
    expect(withPatch.length).toBe(files.length - 1);
    // The sections that are there are whole: the same text as in the full patch.
    const whole = pairFilesWithPatch(full.files, full.patch, false);
    for (const f of withPatch) expect(f.patch).toBe(whole[f.index]!.patch);
    // Once one file has none, none after it has one.
    const firstMissing = files.findIndex((f) => f.patch === null);
    expect(files.slice(firstMissing).every((f) => f.patch === null)).toBe(true);
  });
});

describe("files that start collapsed", () => {
  it("collapses lock, generated and large files, and only those", async () => {
    const diff = await diffCommits({ cwd: repo.work }, base, head);
    const reasons = Object.fromEntries(pairFilesWithPatch(diff.files, diff.patch, false).map((f) => [f.path, collapsedByDefault(f)]));
    expect(reasons).toEqual({
      "data/big.csv": "large",
      "dist/bundle.min.js": "generated",
      "docs/new name.md": null,
      "package-lock.json": "generated",
      "src/app.ts": null,
      "src/small.ts": null,
    });
  });

  it.each(["yarn.lock", "web/pnpm-lock.yaml", "go.sum", "Cargo.lock", "app/static/site.min.css", "build/out.js", "api/__generated__/types.ts", "x/y.pb.go", "a/b.js.map"])(
    "counts %s as generated",
    (p) => expect(isGenerated(p)).toBe(true),
  );

  it.each(["src/lock.ts", "docs/building.md", "src/distance.ts", "README.md", "package.json", "rebuild/notes.md"])("does not count %s as generated", (p) =>
    expect(isGenerated(p)).toBe(false),
  );
});
