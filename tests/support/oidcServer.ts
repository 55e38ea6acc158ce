import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type OidcContext } from "oidc-provider";

/**
 * A real OpenID Connect provider for the single sign-on tests: oidc-provider (the certified
 * Node implementation) on a local port, with discovery, JWKS, PKCE, signed ID tokens and
 * userinfo, and its own login page (the development interactions: a login name and any
 * password). Consent is granted without asking, as a company's identity provider does for
 * its own applications. `accounts` maps a login name to that person's claims; tests add to it.
 */
export type OidcPerson = { email: string; email_verified?: boolean; name?: string; groups?: string[] };

export type OidcServer = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, OidcPerson>;
  close(): Promise<void>;
};

export async function startOidcServer(opts: { redirectUris: string[]; clientId?: string; clientSecret?: string }): Promise<OidcServer> {
  const clientId = opts.clientId ?? "agentdesk";
  const clientSecret = opts.clientSecret ?? crypto.randomBytes(24).toString("hex");
  const accounts = new Map<string, OidcPerson>();
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: opts.redirectUris }],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    async findAccount(_ctx, id) {
      const person = accounts.get(id);
      if (!person) return undefined;
      return { accountId: id, claims: () => ({ sub: id, email_verified: true, ...person }) };
    },
    async loadExistingGrant(ctx: OidcContext) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope("openid email profile groups");
      await grant.save();
      return grant;
    },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: [crypto.randomBytes(32).toString("hex")] },
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test", alg: "RS256", use: "sig" }] },
  });
  server.on("request", provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Signs in at the provider over HTTP, as a browser would: follows the authorization request to
 * the provider's login page, submits the login form, and returns where the provider sends the
 * browser back (the app's callback address with code, state and iss).
 */
export async function signInAtProvider(authorizationUrl: string, login: string, password = "any password"): Promise<URL> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const at = pair!.indexOf("=");
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  let url = new URL(authorizationUrl);
  const origin = url.origin;
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, {
      method: body ? "POST" : "GET",
      body,
      headers: { cookie: cookie(), ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      redirect: "manual",
    });
    keep(res);
    body = undefined;
    const location = res.headers.get("location");
    if (location) {
      url = new URL(location, url);
      if (url.origin !== origin) return url;
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action || !/name="login"/.test(html)) throw new Error(`the provider answered ${res.status} without a login form:\n${html.slice(0, 2000)}`);
    url = new URL(action.replaceAll("&amp;", "&"), url);
    body = new URLSearchParams({ prompt: "login", login, password });
  }
  throw new Error("the provider never sent the browser back");
}
