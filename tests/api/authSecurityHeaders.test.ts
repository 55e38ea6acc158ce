import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { config, proxy } from "@/proxy";

/** The proxy's headers on a request; the browser suite checks them on the running server. */
function run(path: string) {
  const res = proxy(new NextRequest(`http://localhost:3999${path}`, { headers: { "content-security-policy": "script-src *" } }));
  const policy = res.headers.get("content-security-policy") ?? "";
  // What Next passes on to the page as the request's policy (it takes the nonce from there).
  const forwarded = res.headers.get("x-middleware-request-content-security-policy") ?? "";
  return { res, policy, forwarded, nonce: /'nonce-([^']+)'/.exec(policy)?.[1] };
}

describe("security headers", () => {
  it("sends frame protection and a strict script policy with a fresh nonce on every response", () => {
    const { res, policy, forwarded, nonce } = run("/runs/abc");
    for (const directive of [
      "frame-ancestors 'none'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "default-src 'self'",
      `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    ]) {
      expect(policy).toContain(directive);
    }
    expect(policy).not.toContain("unsafe-eval");
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{24}$/);
    // A client's own policy header never reaches the renderer: ours replaces it.
    expect(forwarded).toBe(policy);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    expect(run("/runs/abc").nonce).not.toBe(nonce);
  });

  it("covers pages and API routes, leaving out only the build's static files", () => {
    const [matcher] = config.matcher;
    const matches = (path: string) => new RegExp(`^${matcher}$`).test(path);
    for (const path of ["/", "/sign-up", "/runs/1/review", "/api/runs", "/api/auth/sign-in/email", "/settings/invitations"]) {
      expect(matches(path), path).toBe(true);
    }
    expect(matches("/_next/static/chunks/app.js")).toBe(false);
  });
});
