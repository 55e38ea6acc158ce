import type { GenericOAuthConfig, GenericOAuthUserInfo } from "better-auth/plugins";
import { z } from "zod";
import type { Config } from "./config";

/**
 * The single sign-on providers configured for this install, as better-auth generic OAuth
 * providers (lib/auth.ts): an OpenID Connect issuer found through its discovery document, and
 * GitHub (or a GitHub Enterprise server) over OAuth. Their ids are in the callback address
 * the identity provider must allow: <APP_URL>/api/auth/callback/<id>.
 */
export const OIDC_PROVIDER_ID = "oidc";
export const GITHUB_PROVIDER_ID = "github";

/** What the sign-in page shows: a button per provider. Nothing secret. */
export type SignInProvider = { id: string; name: string };

export function signInProviders(config: Config): SignInProvider[] {
  const providers: SignInProvider[] = [];
  if (config.oidc) providers.push({ id: OIDC_PROVIDER_ID, name: config.oidc.name });
  if (config.githubSignIn) providers.push({ id: GITHUB_PROVIDER_ID, name: "GitHub" });
  return providers;
}

export function ssoProviderConfigs(config: Config): GenericOAuthConfig[] {
  const configs: GenericOAuthConfig[] = [];
  if (config.oidc) {
    configs.push({
      providerId: OIDC_PROVIDER_ID,
      name: config.oidc.name,
      discoveryUrl: `${config.oidc.issuer}/.well-known/openid-configuration`,
      clientId: config.oidc.clientId,
      clientSecret: config.oidc.clientSecret,
      scopes: config.oidc.scopes,
      pkce: true,
      // Identity comes from the ID token: refuse to run with a discovery document that gives
      // no issuer and keys to check its signature (and the nonce) against.
      requireIdTokenVerification: true,
    });
  }
  if (config.githubSignIn) {
    const { url, clientId, clientSecret } = config.githubSignIn;
    configs.push({
      providerId: GITHUB_PROVIDER_ID,
      name: "GitHub",
      authorizationUrl: `${url}/login/oauth/authorize`,
      tokenUrl: `${url}/login/oauth/access_token`,
      clientId,
      clientSecret,
      scopes: ["read:user", "user:email"],
      pkce: true,
      getUserInfo: (tokens) => (tokens.accessToken ? gitHubUser(config.githubApiUrl, tokens.accessToken) : Promise.resolve(null)),
    });
  }
  return configs;
}

const gitHubProfile = z.object({
  id: z.number().int(),
  login: z.string(),
  name: z.string().nullish(),
  avatar_url: z.string().nullish(),
});
const gitHubEmails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

/**
 * The GitHub user behind an access token, with their primary email only when GitHub has
 * verified it (GET /user/emails): the public profile email is whatever the user typed, and an
 * unverified address must never match, or link to, someone else's account. No such address:
 * no email, and the sign-in fails saying so.
 */
async function gitHubUser(apiUrl: string, accessToken: string): Promise<GenericOAuthUserInfo | null> {
  const get = async (path: string) => {
    const res = await fetch(`${apiUrl}${path}`, {
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/vnd.github+json", "user-agent": "AgentDesk" },
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new Error(`GitHub ${path} answered ${res.status}`);
    return (await res.json()) as unknown;
  };
  try {
    const [profile, emails] = await Promise.all([get("/user").then((p) => gitHubProfile.parse(p)), get("/user/emails").then((e) => gitHubEmails.parse(e))]);
    const primary = emails.find((e) => e.primary && e.verified);
    return {
      id: String(profile.id),
      email: primary?.email,
      emailVerified: primary !== undefined,
      name: profile.name || profile.login,
      image: profile.avatar_url ?? undefined,
      login: profile.login,
    };
  } catch (err) {
    console.error("[auth] GitHub sign-in: could not read the user:", err instanceof Error ? err.message : err);
    return null;
  }
}
