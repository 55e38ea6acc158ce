import crypto from "node:crypto";

/**
 * The one signing module of webhooks, out (lib/services/webhookDeliveries.ts signs every
 * delivery) and in (app/api/webhooks/in/[id] verifies every request).
 *
 * Our format, header `AgentDesk-Signature: t=<unix seconds>,v1=<hex>`: v1 is the HMAC-SHA256,
 * keyed with the endpoint's secret, of `<t>.<raw body>`. The timestamp is inside what is
 * signed, so a receiver refuses a replay older than its tolerance (5 minutes here). Several v1
 * values may be given (a receiver accepts any: room to rotate a secret without a gap).
 *
 * GitHub's format, header `X-Hub-Signature-256: sha256=<hex>`: the HMAC-SHA256 of the raw body
 * alone. It signs no time, so a replay is refused by the delivery id kept per webhook instead.
 */
export const SIGNATURE_HEADER = "agentdesk-signature";
export const GITHUB_SIGNATURE_HEADER = "x-hub-signature-256";
export const SIGNATURE_TOLERANCE_SEC = 300;

const hmac = (secret: string, text: string | Buffer) => crypto.createHmac("sha256", secret).update(text).digest("hex");

/** The `AgentDesk-Signature` value for a body sent at `nowSec`. */
export function signPayload(secret: string, body: string | Buffer, nowSec = Math.floor(Date.now() / 1000)): string {
  const t = String(nowSec);
  return `t=${t},v1=${hmac(secret, Buffer.concat([Buffer.from(`${t}.`), Buffer.from(body)]))}`;
}

export type VerifyResult = { ok: true } | { ok: false; reason: "missing" | "malformed" | "stale" | "mismatch" };

/**
 * Checks an `AgentDesk-Signature` header against the raw body: the signed time within
 * `toleranceSec` of now (either way), and one v1 equal to ours, compared in constant time.
 */
export function verifySignature(
  secret: string,
  body: string | Buffer,
  header: string | null | undefined,
  opts: { nowSec?: number; toleranceSec?: number } = {},
): VerifyResult {
  if (!header) return { ok: false, reason: "missing" };
  let t: string | null = null;
  const candidates: string[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && value && /^\d{1,12}$/.test(value)) t = value;
    else if (key === "v1" && value) candidates.push(value);
  }
  if (t === null || candidates.length === 0) return { ok: false, reason: "malformed" };
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(t)) > (opts.toleranceSec ?? SIGNATURE_TOLERANCE_SEC)) return { ok: false, reason: "stale" };
  const expected = hmac(secret, Buffer.concat([Buffer.from(`${t}.`), Buffer.from(body)]));
  return candidates.some((c) => sameHex(c, expected)) ? { ok: true } : { ok: false, reason: "mismatch" };
}

/** Checks GitHub's `X-Hub-Signature-256: sha256=<hex>` against the raw body. */
export function verifyGithubSignature(secret: string, body: string | Buffer, header: string | null | undefined): VerifyResult {
  if (!header) return { ok: false, reason: "missing" };
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match?.[1]) return { ok: false, reason: "malformed" };
  return sameHex(match[1], hmac(secret, body)) ? { ok: true } : { ok: false, reason: "mismatch" };
}

/** GitHub's header value for a body (tests and tools that act as GitHub). */
export const signGithubPayload = (secret: string, body: string | Buffer) => `sha256=${hmac(secret, body)}`;

/** A new webhook secret: 32 random bytes, prefixed so a leaked one is recognisable. */
export const newWebhookSecret = () => `whsec_${crypto.randomBytes(32).toString("base64url")}`;

// Constant-time equality of two hex texts (lengths differ only for a malformed one).
function sameHex(given: string, expected: string): boolean {
  const a = Buffer.from(given.toLowerCase(), "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
