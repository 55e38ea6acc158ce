import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentTools, toolDefinitions } from "../../jobs/agent/tools";
import { eventually } from "../jobs/helpers";
import { hostProcessesWith, uniqueSleep } from "../sandbox/support/processes";
import { createToolWorkspace, type ToolWorkspace } from "./support/workspace";

let w: ToolWorkspace;
beforeAll(async () => {
  w = await createToolWorkspace({ "README.md": "# test\n", "src/main.ts": "export const main = 1;\n" });
});
afterAll(async () => {
  await w.remove();
});

const put = async (name: string, content: string | Buffer) => {
  await fs.mkdir(path.dirname(path.join(w.workspace, name)), { recursive: true });
  await fs.writeFile(path.join(w.workspace, name), content);
};
const get = (name: string) => fs.readFile(path.join(w.workspace, name), "utf8");
const lines = (n: number, make = (i: number) => `line ${i}`) =>
  Array.from({ length: n }, (_, i) => make(i + 1)).join("\n") + "\n";

describe("runTool and definitions", () => {
  it("defines the seven tools with JSON schemas for the API", () => {
    const defs = toolDefinitions();
    expect(defs.map((d) => d.name)).toEqual(["read_file", "write_file", "edit_file", "list_directory", "search", "shell", "ask_human"]);
    for (const def of defs) {
      expect(def.description.length).toBeGreaterThan(50);
      expect(def.input_schema).toMatchObject({ type: "object" });
      expect(def.input_schema).not.toHaveProperty("$schema");
    }
    expect(defs[2]!.input_schema).toMatchObject({ required: ["path", "old_string", "new_string"] });
    expect(agentTools.map((t) => [t.name, t.kind])).toContainEqual(["shell", "shell"]);
  });

  it("answers an unknown tool and invalid input with ok:false naming the field", async () => {
    expect(await w.run("rm_rf", {})).toMatchObject({ ok: false, output: expect.stringContaining("unknown tool") });
    const bad = await w.run("read_file", { path: 3 });
    expect(bad.ok).toBe(false);
    expect(bad.output).toContain("path");
    const tooLong = await w.run("shell", { command: "true", timeoutSec: 5000 });
    expect(tooLong).toMatchObject({ ok: false, output: expect.stringContaining("timeoutSec") });
  });

  it("throws when the run is already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("cancelled by user"));
    await expect(w.run("read_file", { path: "README.md" }, { signal: controller.signal })).rejects.toThrow("cancelled by user");
  });
});

describe("read_file", () => {
  it("numbers lines like cat -n, from offset for limit lines", async () => {
    await put("r/ten.txt", lines(10));
    expect(await w.run("read_file", { path: "r/ten.txt" })).toEqual({
      ok: true,
      output: lines(10, (i) => `${String(i).padStart(6)}\tline ${i}`).trimEnd(),
    });
    const part = await w.run("read_file", { path: "r/ten.txt", offset: 3, limit: 2 });
    expect(part.output).toBe("     3\tline 3\n     4\tline 4\n… 6 more lines; read again with offset=5");
    expect(part.truncated).toBe(true);
    expect(await w.run("read_file", { path: "r/ten.txt", offset: 11 })).toMatchObject({
      ok: false,
      output: expect.stringContaining("has 10 lines"),
    });
  });

  it("shows 2000 lines by default and says how to read on", async () => {
    await put("r/long.txt", lines(5000));
    const result = await w.run("read_file", { path: "r/long.txt" });
    const shown = result.output.split("\n");
    expect(shown).toHaveLength(2001);
    expect(shown[1999]).toBe("  2000\tline 2000");
    expect(shown[2000]).toBe("… 3000 more lines; read again with offset=2001");
    expect(result.truncated).toBe(true);
  });

  it("caps the output at 100 KB on a line boundary", async () => {
    await put("r/wide.txt", lines(2000, (i) => `${i}:${"x".repeat(200)}`));
    const result = await w.run("read_file", { path: "r/wide.txt" });
    expect(Buffer.byteLength(result.output)).toBeLessThanOrEqual(100 * 1024 + 100);
    const shown = result.output.split("\n");
    const lastShown = Number(shown[shown.length - 2]!.split("\t")[0]);
    expect(lastShown).toBeGreaterThan(400);
    expect(lastShown).toBeLessThan(2000);
    expect(shown[shown.length - 1]).toBe(`… ${2000 - lastShown} more lines; read again with offset=${lastShown + 1}`);
  });

  it("cuts a very long line", async () => {
    await put("r/minified.js", "a".repeat(50_000));
    const result = await w.run("read_file", { path: "r/minified.js" });
    expect(result.output.length).toBeLessThan(3000);
    expect(result.output).toContain("48000 more characters on this line");
  });

  it("refuses binary files, folders and missing files with a hint", async () => {
    await put("r/image.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]));
    expect(await w.run("read_file", { path: "r/image.png" })).toEqual({
      ok: false,
      output: "r/image.png is a binary file (8 bytes); not shown",
    });
    expect(await w.run("read_file", { path: "src" })).toMatchObject({ ok: false, output: expect.stringContaining("list_directory") });
    expect(await w.run("read_file", { path: "nope.txt" })).toMatchObject({ ok: false, output: expect.stringContaining("not found") });
    await put("r/empty.txt", "");
    expect(await w.run("read_file", { path: "r/empty.txt" })).toEqual({ ok: true, output: "r/empty.txt is empty (0 lines)" });
  });

  it("masks secrets, also one spanning lines", async () => {
    await put("r/env.txt", "TOKEN=tok-123456\nKEY=-----BEGIN\nPRIVATE-----\n");
    const result = await w.run("read_file", { path: "r/env.txt" }, { secrets: ["tok-123456", "-----BEGIN\nPRIVATE-----"] });
    expect(result.output).toBe("     1\tTOKEN=***\n     2\tKEY=***");
  });
});

describe("write_file", () => {
  it("creates parent folders, then updates, and says which", async () => {
    expect(await w.run("write_file", { path: "w/deep/new.txt", content: "héllo\n" })).toEqual({
      ok: true,
      output: "created w/deep/new.txt (7 bytes)",
      // What the checkpoint commits, without reading the workspace.
      written: [{ path: "w/deep/new.txt", content: Buffer.from("héllo\n"), executable: false }],
      // What the feed shows: a new file is all added lines.
      fileChange: {
        path: "w/deep/new.txt",
        created: true,
        additions: 1,
        deletions: 0,
        hunks: [{ oldStart: 1, oldLines: 0, newStart: 1, newLines: 1, lines: ["+héllo"] }],
        omittedLines: 0,
      },
    });
    expect(await get("w/deep/new.txt")).toBe("héllo\n");
    expect(await w.run("write_file", { path: "w/deep/new.txt", content: "hi" })).toEqual({
      ok: true,
      output: "updated w/deep/new.txt (2 bytes, was 7)",
      written: [{ path: "w/deep/new.txt", content: Buffer.from("hi"), executable: false }],
      fileChange: {
        path: "w/deep/new.txt",
        created: false,
        additions: 1,
        deletions: 1,
        hunks: [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: ["-héllo", "+hi", "\\ No newline at end of file"] }],
        omittedLines: 0,
      },
    });
    expect(await get("w/deep/new.txt")).toBe("hi");
  });

  it("reports an overwrite as the lines that really changed, with context", async () => {
    await put("w/forty.txt", lines(40));
    const result = await w.run("write_file", { path: "w/forty.txt", content: lines(40, (i) => (i === 20 ? "line twenty" : `line ${i}`)) });
    expect(result.fileChange).toEqual({
      path: "w/forty.txt",
      created: false,
      additions: 1,
      deletions: 1,
      hunks: [{ oldStart: 17, oldLines: 7, newStart: 17, newLines: 7, lines: [" line 17", " line 18", " line 19", "-line 20", "+line twenty", " line 21", " line 22", " line 23"] }],
      omittedLines: 0,
    });
  });

  it("caps a large rewrite's diff, counts what it left out, and masks secrets in it", async () => {
    await put("w/big.txt", lines(1000));
    const result = await w.run("write_file", { path: "w/big.txt", content: lines(1000, (i) => `changed ${i} tok-98765`) }, { secrets: ["tok-98765"] });
    const change = result.fileChange!;
    expect(change).toMatchObject({ additions: 1000, deletions: 1000 });
    const shown = change.hunks.flatMap((h) => h.lines);
    expect(shown.length).toBe(400);
    expect(shown.length + change.omittedLines).toBe(2000);
    expect(JSON.stringify(change)).not.toContain("tok-98765");
    // Some of what went, then what came: the first 60 removed lines, then added ones, each
    // piece with its own line numbers so the gap between them shows.
    expect(change.hunks.map(({ oldStart, oldLines, newStart, newLines }) => [oldStart, oldLines, newStart, newLines])).toEqual([
      [1, 60, 1, 0],
      [1001, 0, 1, 340],
    ]);
    expect(change.hunks[1]!.lines[0]).toBe("+changed 1 ***");
    // The file itself holds what the model wrote.
    expect(await get("w/big.txt")).toContain("changed 1 tok-98765");
  });

  it("shows no diff for a binary file it overwrites", async () => {
    await put("w/blob.bin", Buffer.from([0xff, 0xfe, 0x00, 0x01]));
    const result = await w.run("write_file", { path: "w/blob.bin", content: "text now\n" });
    expect(result).toMatchObject({ ok: true, output: "updated w/blob.bin (9 bytes, was 4)" });
    expect(result.fileChange).toBeUndefined();
  });

  it("refuses to write over a folder", async () => {
    expect(await w.run("write_file", { path: "src", content: "x" })).toMatchObject({ ok: false, output: expect.stringContaining("folder") });
  });
});

describe("edit_file", () => {
  it("replaces one exact occurrence and shows the changed region", async () => {
    await put("e/a.ts", lines(20));
    const result = await w.run("edit_file", { path: "e/a.ts", old_string: "line 10\n", new_string: "line ten\nline ten b\n" });
    expect(result).toEqual({
      ok: true,
      output: [
        "replaced 1 occurrence in e/a.ts:",
        "     7\tline 7",
        "     8\tline 8",
        "     9\tline 9",
        "    10\tline ten",
        "    11\tline ten b",
        "    12\tline 11",
        "    13\tline 12",
        "    14\tline 13",
      ].join("\n"),
      written: [{ path: "e/a.ts", content: Buffer.from(await get("e/a.ts")), executable: false }],
    });
    expect(await get("e/a.ts")).toContain("line 9\nline ten\nline ten b\nline 11\n");
  });

  it("refuses ambiguous, missing and no-op edits with what to do", async () => {
    await put("e/b.txt", "foo\nfoo\nfoo\n");
    expect(await w.run("edit_file", { path: "e/b.txt", old_string: "foo", new_string: "bar" })).toMatchObject({
      ok: false,
      output: expect.stringContaining("occurs 3 times"),
    });
    expect(await w.run("edit_file", { path: "e/b.txt", old_string: "baz", new_string: "bar" })).toMatchObject({
      ok: false,
      output: expect.stringContaining("not found"),
    });
    expect(await w.run("edit_file", { path: "e/b.txt", old_string: "foo", new_string: "foo" })).toMatchObject({
      ok: false,
      output: expect.stringContaining("the same"),
    });
    expect(await w.run("edit_file", { path: "e/b.txt", old_string: "", new_string: "x" })).toMatchObject({ ok: false });
    expect(await w.run("edit_file", { path: "e/none.txt", old_string: "a", new_string: "b" })).toMatchObject({
      ok: false,
      output: expect.stringContaining("write_file"),
    });
    expect(await get("e/b.txt")).toBe("foo\nfoo\nfoo\n");
  });

  it("replaces all occurrences with replace_all, keeping $ patterns literal", async () => {
    await put("e/c.txt", "foo\nfoo\nfoo\n");
    const result = await w.run("edit_file", { path: "e/c.txt", old_string: "foo", new_string: "$&-$1", replace_all: true });
    expect(result.output).toMatch(/^replaced 3 occurrences/);
    expect(await get("e/c.txt")).toBe("$&-$1\n$&-$1\n$&-$1\n");
  });

  it("refuses a file that is not UTF-8 rather than corrupting it", async () => {
    const latin1 = Buffer.from("caf\xe9 old\n", "latin1");
    await put("e/latin1.txt", latin1);
    expect(await w.run("edit_file", { path: "e/latin1.txt", old_string: "old", new_string: "new" })).toMatchObject({
      ok: false,
      output: expect.stringContaining("UTF-8"),
    });
    expect(await fs.readFile(path.join(w.workspace, "e/latin1.txt"))).toEqual(latin1);
  });
});

describe("list_directory", () => {
  it("lists the root sorted, folders with /, sizes, symlinks, never .git", async () => {
    const result = await w.run("list_directory", {});
    expect(result.ok).toBe(true);
    const entries = result.output.split("\n");
    expect(entries[0]).toMatch(/^workspace root: \d+ entries$/);
    expect(entries).toContain("README.md  7 bytes");
    expect(entries).toContain("src/");
    expect(entries.some((e) => e.startsWith(".git"))).toBe(false);
    expect(entries.slice(1)).toEqual([...entries.slice(1)].sort());
    await fs.mkdir(path.join(w.workspace, "l"));
    await fs.symlink("../src/main.ts", path.join(w.workspace, "l/main-link"));
    expect((await w.run("list_directory", { path: "l" })).output).toBe("l/: 1 entries\nmain-link -> ../src/main.ts");
  });

  it("caps at 1000 entries", async () => {
    await fs.mkdir(path.join(w.workspace, "many"));
    await Promise.all(Array.from({ length: 1005 }, (_, i) => fs.writeFile(path.join(w.workspace, "many", `f${String(i).padStart(4, "0")}`), "")));
    const result = await w.run("list_directory", { path: "many" });
    const entries = result.output.split("\n");
    expect(entries).toHaveLength(1002);
    expect(entries[1000]).toBe("f0999  0 bytes");
    expect(entries[1001]).toContain("5 more entries not listed");
    expect(result.truncated).toBe(true);
  });

  it("says a file is not a folder", async () => {
    expect(await w.run("list_directory", { path: "README.md" })).toMatchObject({ ok: false, output: expect.stringContaining("README.md") });
  });
});

describe("search", () => {
  it("finds matches in tracked and untracked files as file:line:text", async () => {
    await put("s/untracked.ts", "const needle = 1;\nconst other = 2;\n");
    await put("s/bin.dat", Buffer.from("needle\0binary"));
    expect(await w.run("search", { pattern: "needle\\s*=" })).toEqual({ ok: true, output: "s/untracked.ts:1:const needle = 1;" });
    expect(await w.run("search", { pattern: "main", path: "src" })).toEqual({ ok: true, output: "src/main.ts:1:export const main = 1;" });
    expect(await w.run("search", { pattern: "main", path: "s" })).toEqual({ ok: true, output: "no matches" });
  });

  it("takes patterns starting with a dash and reports a bad regex", async () => {
    await put("s/dash.txt", "--verbose flag\n");
    expect((await w.run("search", { pattern: "--verbose" })).output).toBe("s/dash.txt:1:--verbose flag");
    expect(await w.run("search", { pattern: "a(b" })).toMatchObject({ ok: false, output: expect.stringContaining("search failed") });
  });

  it("caps many matches at 200 and says how many more", async () => {
    await put("s/many.txt", lines(500, (i) => `hit ${i}`));
    const result = await w.run("search", { pattern: "^hit", path: "s/many.txt" });
    const out = result.output.split("\n");
    expect(out).toHaveLength(201);
    expect(out[199]).toBe("s/many.txt:200:hit 200");
    expect(out[200]).toContain("300 more matches not shown");
    expect(result.truncated).toBe(true);
  });

  it("masks secrets in matches", async () => {
    await put("s/conf.txt", "password = hunter2-secret\n");
    expect((await w.run("search", { pattern: "password" }, { secrets: ["hunter2-secret"] })).output).toBe("s/conf.txt:1:password = ***");
  });
});

describe("shell", () => {
  it("runs in the workspace and reports the exit code", async () => {
    expect(await w.run("shell", { command: "pwd; echo err >&2" })).toEqual({
      ok: true,
      output: `exit code 0\n${w.workspace}\nerr\n`,
      truncated: false,
    });
    expect(await w.run("shell", { command: "echo failing; exit 3" })).toMatchObject({ ok: false, output: "exit code 3\nfailing\n" });
  });

  it("streams masked output live, a secret split across writes included", async () => {
    const streamed: [string, string][] = [];
    const result = await w.run(
      "shell",
      { command: "printf 'key=sk-ab'; sleep 0.2; printf 'cdef done\\n'; echo sk-abcdef >&2" },
      { secrets: ["sk-abcdef"], onOutput: (stream, text) => streamed.push([stream, text]) },
    );
    expect(result.output).not.toContain("sk-abcdef");
    const all = streamed.map(([, text]) => text).join("");
    expect(all).not.toContain("sk-abcdef");
    expect(streamed.filter(([s]) => s === "stdout").map(([, t]) => t).join("")).toBe("key=*** done\n");
    expect(streamed).toContainEqual(["stderr", "***\n"]);
  });

  it("keeps the head and the tail of long output", async () => {
    const result = await w.run("shell", { command: "echo FIRST; head -c 200000 /dev/zero | tr '\\0' x; echo; echo LAST" });
    expect(result.truncated).toBe(true);
    expect(result.output.startsWith("exit code 0\nFIRST\n")).toBe(true);
    expect(result.output.endsWith("\nLAST\n")).toBe(true);
    expect(result.output).toMatch(/… \d+ bytes cut …/);
    expect(Buffer.byteLength(result.output)).toBeLessThan(31 * 1024);
    const cut = Number(/… (\d+) bytes cut …/.exec(result.output)![1]);
    expect(cut).toBe(6 + 200_000 + 1 + 5 - 30 * 1024);
  });

  // Inside the sandbox `$!` is a PID of its own namespace: the host finds the process by a marker.
  it("on timeout kills the command and what it put in the background", async () => {
    const sleep = uniqueSleep();
    const started = Date.now();
    const result = await w.run("shell", { command: `${sleep.command} & echo started; wait`, timeoutSec: 1 });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/^timed out after 1 s/);
    expect(result.output).toContain("started");
    expect(Date.now() - started).toBeLessThan(10_000);
    await eventually(async () => ((await hostProcessesWith(sleep.marker)).length === 0 ? true : undefined), 5_000);
  });

  it("throws when the run is cancelled while the command runs", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("run cancelled")), 300);
    await expect(w.run("shell", { command: "sleep 30" }, { signal: controller.signal })).rejects.toThrow("run cancelled");
  });

  it("gives the command no credential from the job process's environment", async () => {
    const names = ["AGENTDESK_TEST_SECRET", "ANTHROPIC_API_KEY", "REDIS_URL", "DATABASE_URL", "GITHUB_TOKEN"];
    const saved = names.map((n) => process.env[n]);
    for (const n of names) process.env[n] = `value-of-${n}`;
    try {
      const result = await w.run("shell", { command: "env" });
      expect(result.ok).toBe(true);
      for (const n of names) {
        expect(result.output).not.toContain(n);
        expect(result.output).not.toContain(`value-of-${n}`);
      }
      expect(result.output).toMatch(/^PATH=/m);
      // A fresh HOME of the sandbox's own, never the job process's.
      expect(result.output).toMatch(/^HOME=\/home\/agentdesk$/m);
    } finally {
      names.forEach((n, i) => {
        if (saved[i] === undefined) delete process.env[n];
        else process.env[n] = saved[i];
      });
    }
  });
});
