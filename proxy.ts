import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_PATH_HEADER } from "./lib/returnTo";
import { contentSecurityPolicy, newNonce, STATIC_SECURITY_HEADERS } from "./lib/server/securityHeaders";

/**
 * Next.js 16's proxy (formerly middleware): security headers on every page and API response.
 * It only adds headers; every route handler and page still checks the session itself.
 */
export function proxy(request: NextRequest): NextResponse {
  const policy = contentSecurityPolicy(newNonce(), process.env.NODE_ENV === "development");
  // Next reads the nonce from the request's policy while rendering and puts it on its scripts.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", policy);
  // Where the browser was going, for the sign-in guard's return-to (lib/server/pageAuth.ts).
  // Next's own router parameter (_rsc, on client navigations) is no part of that address.
  const asked = request.nextUrl.clone();
  asked.searchParams.delete("_rsc");
  requestHeaders.set(REQUEST_PATH_HEADER, asked.pathname + asked.search);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Everything but the build's immutable static files (scripts and styles loaded by the pages).
  matcher: ["/((?!_next/static|_next/image).*)"],
};
