import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confinePath } from "../../jobs/agent/tools/confine";
import { openForRead, openForWrite } from "../../jobs/agent/tools/confinedFile";
import { ToolFailure } from "../../jobs/agent/tools/failure";
import { createToolWorkspace, OUTSIDE_SECRET, type ToolWorkspace } from "./support/workspace";

let w: ToolWorkspace;
beforeAll(async () => {
  w = await createToolWorkspace({ "README.md": "# test\n", "src/main.ts": "export const main = 1;\n" });
  const link = (target: string, name: string) => fs.symlink(target, path.join(w.workspace, name));
  await link("/etc", "etc-link");
  await link(path.join(w.outside, "secret.txt"), "secret-link");
  await link(w.outside, "out-dir");
  await link("chain-2", "chain-1");
  await link("out-dir", "chain-2");
  await link(path.join(w.outside, "not-yet.txt"), "dangling");
  await link("src", "in-link");
  await link(".git", "git-link");
  await link("loop-b", "loop-a");
  await link("loop-a", "loop-b");
});
afterAll(async () => {
  await w.remove();
});

const outsideEntries = () => fs.readdir(w.outside);
const refused = (text?: string) => ({ ok: false, output: expect.stringContaining(text ?? "refused") });

describe("paths as text", () => {
  it.each([
    ["../x", "escapes the workspace"],
    ["a/../../x", "escapes the workspace"],
    ["src/../../outside/secret.txt", "escapes the workspace"],
    ["/etc/passwd", "absolute path"],
    [path.join("/tmp", "x"), "absolute path"],
    ["src/\0main.ts", "NUL byte"],
    [`${"a/".repeat(3000)}x`, "characters long"],
  ])("refuses %.40j for every file tool", async (bad, why) => {
    for (const [tool, input] of [
      ["read_file", { path: bad }],
      ["write_file", { path: bad, content: "pwned" }],
      ["edit_file", { path: bad, old_string: "a", new_string: "b" }],
      ["list_directory", { path: bad }],
      ["search", { pattern: "x", path: bad }],
    ] as const) {
      expect(await w.run(tool, input), `${tool} ${bad}`).toEqual(refused(why));
    }
    expect(await outsideEntries()).toEqual(["secret.txt"]);
  });

  it("answers a too long file name as a tool error, not a crash", async () => {
    expect(await w.run("write_file", { path: "n".repeat(300), content: "x" })).toEqual(refused("name too long"));
  });

  it("allows .. that stays inside", async () => {
    expect(await w.run("read_file", { path: "src/../README.md" })).toEqual({ ok: true, output: "     1\t# test" });
  });
});

describe(".git is off limits", () => {
  it.each([".git", ".git/config", "sub/.git/hooks/pre-commit", ".GIT/config", "src/../.git/HEAD"])("refuses %j", async (p) => {
    expect(await w.run("read_file", { path: p })).toEqual(refused(".git"));
    expect(await w.run("write_file", { path: p, content: "#!/bin/sh\necho pwned\n" })).toEqual(refused(".git"));
    expect(await w.run("list_directory", { path: p })).toEqual(refused(".git"));
  });

  it("refuses reaching .git through a symlink inside the workspace", async () => {
    expect(await w.run("read_file", { path: "git-link" })).toEqual(refused(".git"));
    expect(await w.run("write_file", { path: "git-link", content: "gitdir: /tmp/evil\n" })).toEqual(refused(".git"));
    expect(await fs.readFile(path.join(w.workspace, ".git"), "utf8")).toMatch(/^gitdir: /);
  });
});

describe("symlinks", () => {
  it("refuses reading through a symlink to /etc, naming the link", async () => {
    expect(await w.run("read_file", { path: "etc-link/passwd" })).toEqual({
      ok: false,
      output: "refused: etc-link/passwd escapes the workspace via symlink etc-link -> /etc",
    });
    expect(await w.run("list_directory", { path: "etc-link" })).toEqual(refused("escapes the workspace"));
    expect(await w.run("search", { pattern: "root", path: "etc-link" })).toEqual(refused("escapes the workspace"));
  });

  it("refuses a symlinked file pointing out, for reads and writes", async () => {
    expect(await w.run("read_file", { path: "secret-link" })).toEqual(refused("via symlink secret-link"));
    expect(await w.run("write_file", { path: "secret-link", content: "pwned" })).toEqual(refused("escapes"));
    expect(await w.run("edit_file", { path: "secret-link", old_string: "outside", new_string: "pwned" })).toEqual(refused("escapes"));
    expect(await fs.readFile(path.join(w.outside, "secret.txt"), "utf8")).toBe(OUTSIDE_SECRET);
  });

  it("refuses a new file under a symlinked folder that leads out", async () => {
    expect(await w.run("write_file", { path: "out-dir/new.txt", content: "pwned" })).toEqual(refused("via symlink out-dir"));
    expect(await w.run("write_file", { path: "out-dir/deeper/new.txt", content: "pwned" })).toEqual(refused("escapes"));
    expect(await outsideEntries()).toEqual(["secret.txt"]);
  });

  it("refuses a chain of symlinks that ends outside", async () => {
    expect(await w.run("read_file", { path: "chain-1/secret.txt" })).toEqual(refused("via symlink chain-1"));
    expect(await w.run("write_file", { path: "chain-1/new.txt", content: "pwned" })).toEqual(refused("escapes"));
    expect(await outsideEntries()).toEqual(["secret.txt"]);
  });

  it("refuses a dangling symlink, which a write would create outside", async () => {
    expect(await w.run("write_file", { path: "dangling", content: "pwned" })).toEqual(refused("missing target"));
    expect(await outsideEntries()).toEqual(["secret.txt"]);
  });

  it("refuses a symlink loop", async () => {
    expect(await w.run("read_file", { path: "loop-a" })).toEqual(refused("symlink loop"));
  });

  it("follows symlinks that stay inside; a write goes to the real target", async () => {
    expect(await w.run("read_file", { path: "in-link/main.ts" })).toMatchObject({ ok: true, output: "     1\texport const main = 1;" });
    expect(await w.run("write_file", { path: "in-link/via-link.ts", content: "x" })).toMatchObject({ ok: true });
    expect(await fs.readFile(path.join(w.workspace, "src/via-link.ts"), "utf8")).toBe("x");
    expect(await w.run("search", { pattern: "main", path: "in-link" })).toMatchObject({ ok: true, output: "src/main.ts:1:export const main = 1;" });
  });

  it("refuses a file hard-linked elsewhere", async () => {
    await fs.link(path.join(w.outside, "secret.txt"), path.join(w.workspace, "hard.txt")).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "EXDEV") throw e;
    });
    if (await fs.stat(path.join(w.workspace, "hard.txt")).catch(() => null)) {
      expect(await w.run("write_file", { path: "hard.txt", content: "pwned" })).toEqual(refused("hard links"));
      expect(await fs.readFile(path.join(w.outside, "secret.txt"), "utf8")).toBe(OUTSIDE_SECRET);
    }
  });
});

describe("races between the check and the open", () => {
  it("refuses a read when the file became a symlink out after the check", async () => {
    await fs.writeFile(path.join(w.workspace, "swap-read.txt"), "innocent");
    const target = await confinePath(w.workspace, "swap-read.txt");
    await fs.rm(path.join(w.workspace, "swap-read.txt"));
    await fs.symlink(path.join(w.outside, "secret.txt"), path.join(w.workspace, "swap-read.txt"));
    await expect(openForRead(target)).rejects.toBeInstanceOf(ToolFailure);
  });

  it("refuses a read when a parent folder became a symlink out after the check", async () => {
    await fs.mkdir(path.join(w.workspace, "swap-dir"));
    await fs.writeFile(path.join(w.workspace, "swap-dir/secret.txt"), "innocent");
    const target = await confinePath(w.workspace, "swap-dir/secret.txt");
    await fs.rename(path.join(w.workspace, "swap-dir"), path.join(w.workspace, "swap-dir-old"));
    await fs.symlink(w.outside, path.join(w.workspace, "swap-dir"));
    await expect(openForRead(target)).rejects.toThrow(/changed while it was being opened/);
  });

  it("refuses a write when the file became a symlink out after the check", async () => {
    await fs.writeFile(path.join(w.workspace, "swap-write.txt"), "innocent");
    const target = await confinePath(w.workspace, "swap-write.txt");
    await fs.rm(path.join(w.workspace, "swap-write.txt"));
    await fs.symlink(path.join(w.outside, "secret.txt"), path.join(w.workspace, "swap-write.txt"));
    await expect(openForWrite(target)).rejects.toBeInstanceOf(ToolFailure);
    expect(await fs.readFile(path.join(w.outside, "secret.txt"), "utf8")).toBe(OUTSIDE_SECRET);
  });

  it("creates nothing outside when a parent folder became a symlink out after the check", async () => {
    await fs.mkdir(path.join(w.workspace, "swap-parent"));
    const target = await confinePath(w.workspace, "swap-parent/sub/new.txt");
    await fs.rename(path.join(w.workspace, "swap-parent"), path.join(w.workspace, "swap-parent-old"));
    await fs.symlink(w.outside, path.join(w.workspace, "swap-parent"));
    await expect(openForWrite(target)).rejects.toBeInstanceOf(ToolFailure);
    expect(await outsideEntries()).toEqual(["secret.txt"]);
  });

  it("creates nothing outside when a grandparent folder became a symlink out after the check", async () => {
    await fs.mkdir(path.join(w.workspace, "swap-gp/mid"), { recursive: true });
    const decoy = path.join(w.outside, "gp");
    await fs.mkdir(path.join(decoy, "mid"), { recursive: true });
    const target = await confinePath(w.workspace, "swap-gp/mid/new.txt");
    await fs.rename(path.join(w.workspace, "swap-gp"), path.join(w.workspace, "swap-gp-old"));
    await fs.symlink(decoy, path.join(w.workspace, "swap-gp"));
    await expect(openForWrite(target)).rejects.toThrow(/changed while it was being opened/);
    expect(await fs.readdir(path.join(decoy, "mid"))).toEqual([]);
    await fs.rm(decoy, { recursive: true });
  });
});
