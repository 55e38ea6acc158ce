import crypto from "node:crypto";
import net from "node:net";

/**
 * The one place that decides a request's client address (sign-in rate limit, sessions' ipAddress).
 *
 * Why not simply X-Forwarded-For: any client can send it, and `next start` keeps a client's
 * X-Forwarded-For as it is (it only fills the header in from the socket when it is absent), so
 * a rotating header would give every attempt a fresh address. Route handlers cannot see the
 * socket either. So the web process stamps every incoming request with the socket's address
 * (requestHook.ts, installed by instrumentation.ts before Next serves anything) in a
 * header of its own, replacing whatever a client put there, and signed with a secret that
 * never leaves this process: a request that arrived unstamped cannot pass a forged one off.
 *
 * X-Forwarded-For is believed only as far as the operator says proxies sit in front
 * (TRUST_PROXY_HOPS): with n proxies, each appends the address it saw, so the client is the
 * entry n places from the right; everything further left came from the client and is ignored.
 * X-Real-IP and similar headers are never believed.
 */

/** Set by the stamp on every request: `<process secret> <socket address>`. */
export const PEER_HEADER = "x-agentdesk-peer";
/** The resolved client address, set by us for better-auth to read (advanced.ipAddress). */
export const CLIENT_ADDRESS_HEADER = "x-agentdesk-client-address";

const SECRET_KEY = Symbol.for("agentdesk.peerStampSecret");
const holder = globalThis as unknown as Record<symbol, string | undefined>;

// One secret per process, shared by the stamp (instrumentation bundle) and the route handlers.
function stampSecret(): string {
  holder[SECRET_KEY] ??= crypto.randomBytes(24).toString("base64url");
  return holder[SECRET_KEY];
}

/** The value the stamp puts in PEER_HEADER for a socket address. */
export function peerStampValue(socketAddress: string): string {
  return `${stampSecret()} ${socketAddress}`;
}

/** The socket address a genuine stamp carries, or null (no stamp, or one a client forged). */
export function stampedPeer(headers: Headers): string | null {
  const value = headers.get(PEER_HEADER);
  if (!value) return null;
  const space = value.indexOf(" ");
  if (space < 0) return null;
  const given = Buffer.from(value.slice(0, space));
  const expected = Buffer.from(stampSecret());
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  return normalizeAddress(value.slice(space + 1));
}

/** A valid IP address without IPv4-in-IPv6 mapping, or null. */
function normalizeAddress(raw: string): string | null {
  const address = raw.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return net.isIP(address) ? address.toLowerCase() : null;
}

/**
 * The client's address: the socket's with trustProxyHops 0, otherwise the X-Forwarded-For
 * entry that many hops from the right (the left-most when the chain is shorter, as with
 * Express's `trust proxy`). Null when it cannot be known (e.g. an unstamped request).
 */
export function clientAddress(headers: Headers, trustProxyHops: number): string | null {
  const peer = stampedPeer(headers);
  if (trustProxyHops === 0) return peer;
  const chain = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (chain.length === 0) return peer;
  const entry = chain[Math.max(0, chain.length - trustProxyHops)]!;
  return normalizeAddress(entry);
}

/**
 * The request with CLIENT_ADDRESS_HEADER set to the resolved address (or removed when unknown),
 * so a client can never supply it. better-auth reads only that header.
 */
export function withClientAddress(req: Request, trustProxyHops: number): Request {
  const headers = new Headers(req.headers);
  headers.delete(CLIENT_ADDRESS_HEADER);
  const address = clientAddress(req.headers, trustProxyHops);
  if (address) headers.set(CLIENT_ADDRESS_HEADER, address);
  return new Request(req, { headers });
}
