import { afterEach, describe, expect, it, vi } from "vitest";
import { spawnChild } from "../../scripts/lib/children";

afterEach(() => {
  vi.restoreAllMocks();
});

const node = process.execPath;

/** Captures what children print through the prefixer, so a test can wait for a line. */
function captureStdout(): string[] {
  const out: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (out.push(String(chunk)), true));
  return out;
}

describe("spawnChild", () => {
  it("prefixes every line of the child's output", async () => {
    const out = captureStdout();
    const err: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (err.push(String(chunk)), true));
    const child = await spawnChild("web", node, ["-e", "console.log('one\\ntwo'); console.error('oops')"], {
      cwd: process.cwd(),
      env: process.env,
    });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    // Output may still be in the pipe when the exit is reported.
    await vi.waitFor(() => expect(out).toEqual(["[web] one\n", "[web] two\n"]));
    await vi.waitFor(() => expect(err).toEqual(["[web] oops\n"]));
  });

  it("stops a child with SIGTERM and lets it finish", async () => {
    const out = captureStdout();
    const child = await spawnChild(
      "worker",
      node,
      ["-e", "process.on('SIGTERM', () => setTimeout(() => process.exit(7), 100)); setInterval(() => {}, 1000); console.log('up')"],
      { cwd: process.cwd(), env: process.env },
    );
    // Signal only once its SIGTERM handler is in place.
    await vi.waitFor(() => expect(out).toContain("[worker] up\n"));
    expect(await child.stop(5_000)).toEqual({ code: 7, signal: null });
  });

  it("kills a child that ignores SIGTERM once the grace period is over", async () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const out = captureStdout();
    const child = await spawnChild(
      "worker",
      node,
      ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('up')"],
      { cwd: process.cwd(), env: process.env },
    );
    // Signal only once its SIGTERM handler is in place.
    await vi.waitFor(() => expect(out).toContain("[worker] up\n"));
    const started = Date.now();
    expect(await child.stop(500)).toEqual({ code: null, signal: "SIGKILL" });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("rejects with the command named when it cannot be started", async () => {
    await expect(
      spawnChild("web", "/nonexistent/next", [], { cwd: process.cwd(), env: process.env }),
    ).rejects.toThrow(/Could not start web \(\/nonexistent\/next\)/);
  });
});
