import { call, cookieHeader, randomIp } from "./web";

/**
 * Single sign-on through the app's own routes, in-process: start it as the sign-in page's
 * button does (POST /api/auth/sign-in/social), then, once the provider has sent the browser
 * back, deliver that callback address with the cookies the start set (state, PKCE verifier).
 */
export type SsoStart = { providerUrl: URL; cookie: string; peer: string };

export async function startSso(provider: string, opts: { callbackURL?: string; errorCallbackURL?: string; peer?: string } = {}): Promise<SsoStart> {
  const { POST } = await import("@/app/api/auth/[...all]/route");
  const peer = opts.peer ?? randomIp();
  const res = await call(POST, "/api/auth/sign-in/social", {
    body: { provider, callbackURL: opts.callbackURL ?? "/", errorCallbackURL: opts.errorCallbackURL ?? "/sign-in" },
    peer,
  });
  if (res.status !== 200) throw new Error(`sign-in/social answered ${res.status}: ${await res.text()}`);
  const { url } = (await res.json()) as { url: string };
  return { providerUrl: new URL(url), cookie: cookieHeader(res), peer };
}

/** The app's answer to the provider's redirect back: where it sends the browser, and the session cookie if any. */
export async function finishSso(start: SsoStart, callback: URL): Promise<{ status: number; location: URL; cookie: string }> {
  const { GET } = await import("@/app/api/auth/[...all]/route");
  const res = await call(GET, callback.pathname + callback.search, { headers: { cookie: start.cookie }, peer: start.peer });
  const location = res.headers.get("location");
  if (!location) throw new Error(`the callback answered ${res.status} without a redirect: ${await res.text()}`);
  const session = res.headers.getSetCookie().filter((c) => c.startsWith("better-auth.session_token="));
  return { status: res.status, location: new URL(location, "http://localhost:3999"), cookie: session.length ? cookieHeader(res) : "" };
}
