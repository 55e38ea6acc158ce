import { describe, expect, it } from "vitest";
import { SaveQueue } from "../../jobs/agent/saveQueue";

/** Saves are lists of what they carry; merging keeps the older one's items before the newer one's. */
type Save = string[];
const merge = (older: Save, newer: Save) => [...older, ...newer];

/** A write that waits for the test to let it finish, recording what it wrote. */
function gatedWriter(fail?: (save: Save) => Error | null) {
  const written: Save[] = [];
  const gates: (() => void)[] = [];
  const write = async (save: Save) => {
    await new Promise<void>((resolve) => gates.push(resolve));
    const error = fail?.(save);
    if (error) throw error;
    written.push(save);
  };
  const release = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()!();
  };
  return { written, write, release, gates };
}

describe("the background save queue", () => {
  it("writes one save at a time, in order, merging those queued while a write runs into one", async () => {
    const writer = gatedWriter();
    const queue = new SaveQueue<Save>(writer.write, merge);
    queue.enqueue(["a"]);
    // Once "a" is being written, b, c and d queue up behind it.
    while (writer.gates.length === 0) await new Promise((r) => setImmediate(r));
    queue.enqueue(["b"]);
    queue.enqueue(["c"]);
    queue.enqueue(["d"]);
    const flushed = queue.flush();
    await writer.release();
    await writer.release();
    await flushed;
    expect(writer.written).toEqual([["a"], ["b", "c", "d"]]);
    expect(queue.counts).toEqual({ queued: 4, written: 2, merged: 2 });
  });

  it("keeps a failure: the next enqueue and every flush throw it, and nothing queued after it is written", async () => {
    const boom = new Error("the commit was refused");
    const writer = gatedWriter((save) => (save.includes("bad") ? boom : null));
    const queue = new SaveQueue<Save>(writer.write, merge);
    queue.enqueue(["bad"]);
    const flushed = queue.flush();
    await writer.release();
    await expect(flushed).rejects.toBe(boom);
    expect(() => queue.enqueue(["after"])).toThrow(boom);
    await expect(queue.flush()).rejects.toBe(boom);
    expect(writer.written).toEqual([]);
  });

  it("pauses between writes to merge a burst, and a flush cuts the pause short", async () => {
    const written: Save[] = [];
    // An hour's pause: only the flush can end it before the test times out.
    const queue = new SaveQueue<Save>(async (save) => void written.push(save), merge, 3_600_000);
    queue.enqueue(["first"]);
    await queue.flush();
    queue.enqueue(["b"]);
    await new Promise((r) => setImmediate(r));
    queue.enqueue(["c"]);
    expect(written).toEqual([["first"]]);
    await queue.flush();
    expect(written).toEqual([["first"], ["b", "c"]]);
  });
});
