import { z } from "zod";

/** The query parameter that carries where to go after signing in (`/sign-in?next=/runs/…`). */
export const RETURN_TO_PARAM = "next";

// Any origin works as the base: only a path that stays on it is kept.
const BASE = "http://return-to.invalid";

/**
 * A path on this site, and only that: it starts with one "/" and none of what a browser would
 * read as another host (`//evil.com`, `/\evil.com`, a tab or newline the URL parser drops),
 * and it does not lead back to the sign-in pages (a loop) or to the API (JSON, not a page).
 */
const returnPath = z
  .string()
  .max(2_000)
  .refine((p) => p.startsWith("/") && !p.startsWith("//"), "must be a path on this site")
  .refine((p) => !/[\\\u0000-\u001f\u007f]/.test(p), "must not hold backslashes or control characters")
  .transform((p, ctx) => {
    const url = new URL(p, BASE);
    if (url.origin !== BASE) {
      ctx.addIssue({ code: "custom", message: "must stay on this site" });
      return z.NEVER;
    }
    return url.pathname + url.search + url.hash;
  })
  .refine((p) => !/^\/(sign-in|sign-up|api)(\/|\?|#|$)/.test(p), "must be a page to return to");

/**
 * Where to send someone after they sign in or up: the page they asked for when it is a safe
 * same-site path (normalised), otherwise the runs page. Anything else (a full URL, a
 * protocol-relative one, an array from a repeated query parameter) is refused, never followed:
 * no open redirect.
 */
export function safeReturnTo(raw: unknown): string {
  const parsed = returnPath.safeParse(raw);
  return parsed.success ? parsed.data : "/";
}

/** The sign-in (or sign-up) page's address for someone who asked for `path` (no parameter for the runs page). */
export function signInPathFor(path: unknown, page: "/sign-in" | "/sign-up" = "/sign-in"): string {
  const target = safeReturnTo(path);
  return target === "/" ? page : `${page}?${RETURN_TO_PARAM}=${encodeURIComponent(target)}`;
}

/**
 * The request header proxy.ts sets to the path and query the browser asked for, so a page's
 * sign-in guard can say where to come back to (a server component cannot read its own URL).
 * proxy.ts always overwrites it: a value a client sent is never read.
 */
export const REQUEST_PATH_HEADER = "x-agentdesk-path";
