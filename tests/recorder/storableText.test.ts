import { describe, expect, it } from "vitest";
import { findNul, NUL_REPLACEMENT, storableDeep, storableText } from "@/lib/storableText";

describe("storable text", () => {
  it("replaces every NUL with ␀ and every unpaired surrogate with �, leaving the rest alone", () => {
    expect(NUL_REPLACEMENT).toBe("␀");
    expect(storableText("a\u0000b\u0000")).toBe("a␀b␀");
    expect(storableText("x\ud800y\udc00z")).toBe("x\ufffdy\ufffdz");
    // A real pair (an emoji) is kept whole, as is plain text.
    expect(storableText("ok 😀 ü")).toBe("ok 😀 ü");
  });

  it("walks every depth of a value, keys included, and keeps other values", () => {
    const at = new Date(0);
    expect(storableDeep({ a: ["x\u0000", { ["k\u0000"]: "v\u0000" }], n: 1, b: true, z: null, at })).toEqual({
      a: ["x␀", { "k␀": "v␀" }],
      n: 1,
      b: true,
      z: null,
      at,
    });
  });

  it("finds the path of the first NUL, in a value or a key", () => {
    expect(findNul({ a: "ok", b: [{ c: "x" }, { d: "y\u0000" }] })).toEqual(["b", 1, "d"]);
    expect(findNul({ a: { ["k\u0000"]: 1 } })).toEqual(["a", "k\u0000"]);
    expect(findNul("\u0000")).toEqual([]);
    expect(findNul({ a: "fine", n: 0 })).toBeNull();
  });
});
