import { describe, expect, it } from "vitest";
import {
  signGithubPayload,
  signPayload,
  verifyGithubSignature,
  verifySignature,
} from "../../lib/contracts/webhookSignature";

const secret = "whsec_test";
const body = JSON.stringify({ id: "evt_1", type: "run.failed" });

describe("webhook signatures", () => {
  it("verifies its own signature within the tolerance", () => {
    const header = signPayload(secret, body, 1_000_000);
    expect(header).toMatch(/^t=1000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(secret, body, header, { nowSec: 1_000_000 + 299 })).toEqual({ ok: true });
    expect(verifySignature(secret, Buffer.from(body), header, { nowSec: 1_000_000 - 299 })).toEqual({ ok: true });
  });

  it("refuses a stale or future timestamp, a changed body, another secret, a forged time", () => {
    const header = signPayload(secret, body, 1_000_000);
    expect(verifySignature(secret, body, header, { nowSec: 1_000_000 + 301 })).toEqual({ ok: false, reason: "stale" });
    expect(verifySignature(secret, body, header, { nowSec: 1_000_000 - 301 })).toEqual({ ok: false, reason: "stale" });
    expect(verifySignature(secret, `${body} `, header, { nowSec: 1_000_000 })).toEqual({ ok: false, reason: "mismatch" });
    expect(verifySignature("whsec_other", body, header, { nowSec: 1_000_000 })).toEqual({ ok: false, reason: "mismatch" });
    // Moving the time forward (to pass the replay window) breaks the signature.
    const moved = header.replace("t=1000000", "t=1000500");
    expect(verifySignature(secret, body, moved, { nowSec: 1_000_500 })).toEqual({ ok: false, reason: "mismatch" });
  });

  it("refuses a missing or malformed header", () => {
    expect(verifySignature(secret, body, null)).toEqual({ ok: false, reason: "missing" });
    expect(verifySignature(secret, body, "")).toEqual({ ok: false, reason: "missing" });
    expect(verifySignature(secret, body, "v1=abc")).toEqual({ ok: false, reason: "malformed" });
    expect(verifySignature(secret, body, "t=12")).toEqual({ ok: false, reason: "malformed" });
    expect(verifySignature(secret, body, "t=1000000,v1=zz", { nowSec: 1_000_000 })).toEqual({ ok: false, reason: "mismatch" });
  });

  it("accepts any of several v1 values (a secret being rotated)", () => {
    const good = signPayload(secret, body, 1_000_000);
    const other = signPayload("whsec_old", body, 1_000_000);
    const both = `${other},v1=${good.split("v1=")[1]}`;
    expect(verifySignature(secret, body, both, { nowSec: 1_000_000 })).toEqual({ ok: true });
  });

  it("verifies GitHub's X-Hub-Signature-256", () => {
    const header = signGithubPayload(secret, body);
    expect(verifyGithubSignature(secret, body, header)).toEqual({ ok: true });
    expect(verifyGithubSignature(secret, body, header.toUpperCase().replace("SHA256=", "sha256="))).toEqual({ ok: true });
    expect(verifyGithubSignature("whsec_other", body, header)).toEqual({ ok: false, reason: "mismatch" });
    expect(verifyGithubSignature(secret, body, "sha1=abc")).toEqual({ ok: false, reason: "malformed" });
    expect(verifyGithubSignature(secret, body, undefined)).toEqual({ ok: false, reason: "missing" });
  });
});
