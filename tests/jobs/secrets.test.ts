import { describe, expect, it } from "vitest";
import { CommandOutput } from "../../jobs/output";
import { MASK, StreamMasker, maskDeep, maskSecrets } from "../../jobs/secrets";
import type { EventBodyInput } from "../../lib/events";

describe("secret masking", () => {
  const secrets = ["supersecretvalue", "abcd1234"];

  it("masks every occurrence in strings and nested values", () => {
    expect(maskSecrets("x supersecretvalue y abcd1234 supersecretvalue", secrets)).toBe(`x ${MASK} y ${MASK} ${MASK}`);
    expect(maskDeep({ a: ["abcd1234"], b: { c: "--abcd1234--", n: 3 } }, secrets)).toEqual({
      a: [MASK],
      b: { c: `--${MASK}--`, n: 3 },
    });
  });

  it("masks a secret split across chunks, at every split point", () => {
    const text = "before supersecretvalue after abcd1234.";
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        const masker = new StreamMasker(secrets);
        const out = masker.push(text.slice(0, i)) + masker.push(text.slice(i, j)) + masker.push(text.slice(j)) + masker.end();
        expect(out).toBe(`before ${MASK} after ${MASK}.`);
      }
    }
  });

  it("does not cut a secret that ends where another secret's prefix begins", () => {
    const masker = new StreamMasker(["abcd", "cdxy"]);
    const out = masker.push("zabcd") + masker.push("!") + masker.end();
    expect(out).toBe(`z${MASK}!`);
  });

  it("holds back only what could be a secret", () => {
    const masker = new StreamMasker(secrets);
    expect(masker.push("plain text ")).toBe("plain text ");
    expect(masker.push("then super")).toBe("then ");
    expect(masker.end()).toBe("super");
  });
});

describe("command output", () => {
  function collect() {
    const events: EventBodyInput[] = [];
    const emit = async (e: EventBodyInput) => {
      events.push(e);
    };
    return { events, emit };
  }
  const limits = { flushMs: 20, eventBytes: 64, maxTotalBytes: 300, tailBytes: 50 };

  it("keeps order across streams, splits large events and caps the total", async () => {
    const { events, emit } = collect();
    const out = new CommandOutput(emit, "c1", [], limits);
    out.push("stdout", Buffer.from("one\n"));
    out.push("stderr", Buffer.from("two\n"));
    out.push("stdout", Buffer.from("x".repeat(1000)));
    await out.end();
    const logs = events.filter((e) => e.type === "log");
    const info = logs.filter((e) => e.level === "info");
    expect(info[0]).toMatchObject({ stream: "stdout", message: "one\n", callId: "c1" });
    expect(info[1]).toMatchObject({ stream: "stderr", message: "two\n" });
    expect(info.every((e) => Buffer.byteLength(e.message) <= 64)).toBe(true);
    expect(info.reduce((n, e) => n + Buffer.byteLength(e.message), 0)).toBe(300);
    expect(logs[logs.length - 1]).toMatchObject({ level: "warn", message: expect.stringContaining("708 more bytes") });
    expect(out.tail()).toEqual({ output: "x".repeat(50), truncated: true });
  });

  it("never splits a multi-byte character", async () => {
    const { events, emit } = collect();
    const out = new CommandOutput(emit, "c2", [], limits);
    const bytes = Buffer.from("é".repeat(100));
    out.push("stdout", bytes.subarray(0, 51));
    out.push("stdout", bytes.subarray(51));
    await out.end();
    const text = events.map((e) => (e.type === "log" && e.level === "info" ? e.message : "")).join("");
    expect(text).toBe("é".repeat(100));
  });
});
