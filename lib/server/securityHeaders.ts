/**
 * The security headers of every page and API response (set by proxy.ts). The script policy is
 * Next.js's strict one: a fresh nonce per request plus 'strict-dynamic', so only the scripts
 * Next itself renders (it reads the nonce from the request's policy and puts it on each of its
 * script tags) and what they load may run; an injected <script> or inline handler may not.
 */

/** A fresh, unguessable nonce for one response. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
}

export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    // React's development build uses eval for its error overlay; the production build does not.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Style attributes (React's style={…}, the diff viewer) cannot carry a nonce; styles cannot
    // run code, so inline styles stay allowed.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    // fetch, server actions and the live feed (SSE) go to our own origin only.
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Headers that are the same on every response. */
export const STATIC_SECURITY_HEADERS: Record<string, string> = {
  // For browsers that predate frame-ancestors.
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  // Invitation links carry their token in the URL: never send a URL to another site.
  "Referrer-Policy": "same-origin",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
};
