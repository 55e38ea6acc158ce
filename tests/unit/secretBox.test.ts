import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretBox, SecretUnreadableError } from "@/lib/secretBox";

const KEY = crypto.randomBytes(32).toString("hex");

describe("secretBox", () => {
  it("seals a secret so the stored value holds none of it, and opens it again", () => {
    const box = createSecretBox(KEY);
    const sealed = box.seal("whsec_abc123");
    expect(sealed).toMatch(/^sealed:v1:/);
    expect(sealed).not.toContain("abc123");
    // A fresh IV each time: the same secret never seals the same way twice.
    expect(box.seal("whsec_abc123")).not.toBe(sealed);
    expect(box.open(sealed)).toBe("whsec_abc123");
  });

  it("cannot be opened under another AUTH_SECRET, nor after a change to the stored value", () => {
    const sealed = createSecretBox(KEY).seal("whsec_abc123");
    expect(() => createSecretBox(crypto.randomBytes(32).toString("hex")).open(sealed)).toThrow(SecretUnreadableError);
    const body = Buffer.from(sealed.slice("sealed:v1:".length), "base64url");
    body[body.length - 1]! ^= 1;
    expect(() => createSecretBox(KEY).open(`sealed:v1:${body.toString("base64url")}`)).toThrow(/rotate the secret/);
  });

  it("gives back a secret stored before sealing as it is", () => {
    expect(createSecretBox(KEY).open("whsec_stored_plain")).toBe("whsec_stored_plain");
  });
});
