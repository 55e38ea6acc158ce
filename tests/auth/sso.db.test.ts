import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as authGet, POST as authPost } from "@/app/api/auth/[...all]/route";
import { account, invitation, team, teamMember, user } from "@/lib/db/schema";
import { getApp } from "@/lib/server/app";
import { createTeam, firstTeam } from "@/lib/services/teams";
import { startFakeGitHubOAuth, type FakeGitHubOAuth } from "../support/githubOAuthServer";
import { signInAtProvider, startOidcServer, type OidcServer } from "../support/oidcServer";
import { finishSso, startSso } from "../support/ssoFlow";
import { APP_ORIGIN, call, invitationFor, principalFor, randomIp, signUp } from "../support/web";

// Single sign-on against a real OpenID Connect server (oidc-provider) and a fake GitHub that
// speaks GitHub's OAuth wire format, through the app's own auth routes.
let oidc: OidcServer;
let github: FakeGitHubOAuth;

beforeAll(async () => {
  oidc = await startOidcServer({ redirectUris: [`${APP_ORIGIN}/api/auth/callback/oidc`] });
  github = await startFakeGitHubOAuth();
  Object.assign(process.env, {
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID: oidc.clientId,
    OIDC_CLIENT_SECRET: oidc.clientSecret,
    OIDC_NAME: "Acme SSO",
    OIDC_SCOPES: "openid email profile groups",
    GITHUB_CLIENT_ID: github.clientId,
    GITHUB_CLIENT_SECRET: github.clientSecret,
    GITHUB_URL: github.url,
    GITHUB_API_URL: github.url,
    SSO_TEAM_RULES: JSON.stringify([
      { emailDomain: "corp.example", team: "default", role: "member" },
      { group: "agentdesk-admins", team: "default", role: "admin" },
      { group: "platform", team: "platform", role: "viewer" },
      { group: "platform-leads", team: "platform", role: "admin" },
      { group: "ghosts", team: "no-such-team", role: "member" },
    ]),
  });
  // Migrations and the provider's discovery, within the hook's longer time limit.
  await getApp();
  await call(authGet, "/api/auth/get-session");
});

afterAll(async () => {
  await oidc?.close();
  await github?.close();
});

/** A whole OIDC sign-in of `login` (added to the provider with these claims). */
async function oidcSignIn(login: string, person: Parameters<OidcServer["accounts"]["set"]>[1], callbackURL = "/runs") {
  oidc.accounts.set(login, person);
  const start = await startSso("oidc", { callbackURL, errorCallbackURL: "/sign-in" });
  return finishSso(start, await signInAtProvider(start.providerUrl.toString(), login));
}

async function userByEmail(email: string) {
  const { db } = await getApp();
  const [row] = await db.select().from(user).where(eq(user.email, email));
  return row;
}

async function teamsOf(email: string): Promise<Record<string, string>> {
  const { db } = await getApp();
  const rows = await db
    .select({ slug: team.slug, role: teamMember.role })
    .from(teamMember)
    .innerJoin(team, eq(team.id, teamMember.teamId))
    .innerJoin(user, eq(user.id, teamMember.userId))
    .where(eq(user.email, email));
  return Object.fromEntries(rows.map((r) => [r.slug, r.role]));
}

async function whoIs(cookie: string): Promise<string | null> {
  const res = await call(authGet, "/api/auth/get-session", { headers: { cookie } });
  const body = (await res.json()) as { user?: { email: string } } | null;
  return body?.user?.email ?? null;
}

describe("OpenID Connect sign-in", () => {
  it("sends the browser to the issuer's authorization endpoint with state, PKCE (S256) and a nonce", async () => {
    const { providerUrl, cookie } = await startSso("oidc");
    expect(providerUrl.origin).toBe(oidc.issuer);
    const q = providerUrl.searchParams;
    expect(q.get("client_id")).toBe(oidc.clientId);
    expect(q.get("redirect_uri")).toBe(`${APP_ORIGIN}/api/auth/callback/oidc`);
    expect(q.get("scope")?.split(" ")).toEqual(expect.arrayContaining(["openid", "email", "groups"]));
    expect(q.get("state")?.length).toBeGreaterThan(16);
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")?.length).toBeGreaterThan(30);
    expect(q.get("nonce")).toBeTruthy();
    expect(cookie).toMatch(/state/);
  });

  it("refuses someone no rule or invitation lets in, even on a fresh install, and creates no account", async () => {
    const result = await oidcSignIn("eve", { email: "eve@elsewhere.example", name: "Eve" });
    expect(result.location.pathname).toBe("/sign-in");
    expect(result.location.searchParams.get("error")).toBe("SSO_NOT_ALLOWED");
    expect(result.cookie).toBe("");
    expect(await userByEmail("eve@elsewhere.example")).toBeUndefined();
  });

  it("lets in the first person a rule matches as the install's admin, and lands them on the page they asked for", async () => {
    const result = await oidcSignIn("ada", { email: "ada@corp.example", name: "Ada" }, "/runs?status=running");
    expect(result.location.pathname + result.location.search).toBe("/runs?status=running");
    expect(await whoIs(result.cookie)).toBe("ada@corp.example");
    const ada = await userByEmail("ada@corp.example");
    expect(ada?.role).toBe("admin");
    expect(ada?.emailVerified).toBe(true);
    const { db } = await getApp();
    const accounts = await db.select().from(account).where(eq(account.userId, ada!.id));
    expect(accounts.map((a) => [a.providerId, a.accountId])).toEqual([["oidc", "ada"]]);
  });

  it("signs the same person in again into the same account", async () => {
    const first = await userByEmail("ada@corp.example");
    const again = await oidcSignIn("ada", { email: "ada@corp.example", name: "Ada" });
    expect(await whoIs(again.cookie)).toBe("ada@corp.example");
    const { db } = await getApp();
    expect((await db.select().from(user).where(eq(user.email, "ada@corp.example"))).map((u) => u.id)).toEqual([first!.id]);
  });

  it("matches an email-domain rule only on an address the provider verified", async () => {
    const result = await oidcSignIn("mallory", { email: "mallory@corp.example", email_verified: false });
    expect(result.location.searchParams.get("error")).toBe("SSO_NOT_ALLOWED");
    expect(await userByEmail("mallory@corp.example")).toBeUndefined();
  });

  it("lets in a member of a group a rule names, whatever their domain, as a plain user", async () => {
    const result = await oidcSignIn("grace", { email: "grace@contractor.example", groups: ["agentdesk-admins", "staff"] });
    expect(await whoIs(result.cookie)).toBe("grace@contractor.example");
    expect((await userByEmail("grace@contractor.example"))?.role).toBe("user");
  });

  it("lets in someone with an invitation for their address, into its team with its role, and uses the invitation up", async () => {
    const token = await invitationFor("linus@elsewhere.example", "admin");
    const result = await oidcSignIn("linus", { email: "linus@elsewhere.example" });
    expect(await whoIs(result.cookie)).toBe("linus@elsewhere.example");
    const linus = await userByEmail("linus@elsewhere.example");
    expect(linus?.role).toBe("user");
    const { db } = await getApp();
    const memberships = await db.select({ teamId: teamMember.teamId, role: teamMember.role }).from(teamMember).where(eq(teamMember.userId, linus!.id));
    expect(memberships).toEqual([{ teamId: (await firstTeam({ db })).id, role: "admin" }]);
    const [used] = await db.select().from(invitation).where(and(eq(invitation.email, "linus@elsewhere.example")));
    expect(used?.usedAt).not.toBeNull();
    expect(used?.usedBy).toBe(linus!.id);
    expect(token).toMatch(/^adi_/);
  });

  it("links to an existing password account only when the provider verified the address", async () => {
    const pw = await signUp("margaret@elsewhere.example");
    const unverified = await oidcSignIn("margaret-unverified", { email: "margaret@elsewhere.example", email_verified: false });
    expect(unverified.cookie).toBe("");
    expect(unverified.location.searchParams.get("error")).toBe("account_not_linked");
    const { db } = await getApp();
    expect((await db.select().from(account).where(eq(account.userId, pw.userId))).map((a) => a.providerId)).toEqual(["credential"]);

    const verified = await oidcSignIn("margaret", { email: "margaret@elsewhere.example" });
    expect(await whoIs(verified.cookie)).toBe("margaret@elsewhere.example");
    const providers = (await db.select().from(account).where(eq(account.userId, pw.userId))).map((a) => a.providerId);
    expect(providers.sort()).toEqual(["credential", "oidc"]);
  });

  it("refuses a disabled user through SSO too", async () => {
    await oidcSignIn("dennis", { email: "dennis@corp.example" });
    const { db } = await getApp();
    await db.update(user).set({ disabledAt: new Date() }).where(eq(user.email, "dennis@corp.example"));
    const result = await oidcSignIn("dennis", { email: "dennis@corp.example" });
    expect(result.cookie).toBe("");
    expect(result.location.searchParams.get("error")).toBe("ACCOUNT_DISABLED");
  });

  it("refuses a callback delivered to another browser (state), and the same callback twice", async () => {
    oidc.accounts.set("ken", { email: "ken@corp.example" });
    const mine = await startSso("oidc");
    const callback = await signInAtProvider(mine.providerUrl.toString(), "ken");
    const other = await startSso("oidc");
    const forged = await finishSso(other, callback);
    expect(forged.cookie).toBe("");
    expect(forged.location.searchParams.get("error")).toBe("state_mismatch");
    expect(await userByEmail("ken@corp.example")).toBeUndefined();
    const real = await finishSso(mine, callback);
    expect(await whoIs(real.cookie)).toBe("ken@corp.example");
    const replay = await finishSso(mine, callback);
    expect(replay.cookie).toBe("");
    expect(replay.location.searchParams.get("error")).toBeTruthy();
  });

  it("rate-limits starting sign-ins from one address", async () => {
    const peer = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await call(authPost, "/api/auth/sign-in/social", { body: { provider: "oidc", callbackURL: "/" }, peer });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe("GitHub sign-in", () => {
  const person = (id: number, login: string, emails: { email: string; primary: boolean; verified: boolean }[]) => ({ id, login, name: login, email: emails[0]?.email, emails });

  async function gitHubSignIn() {
    const start = await startSso("github", { callbackURL: "/inbox" });
    expect(start.providerUrl.origin + start.providerUrl.pathname).toBe(`${github.url}/login/oauth/authorize`);
    expect(start.providerUrl.searchParams.get("code_challenge_method")).toBe("S256");
    const res = await fetch(start.providerUrl, { redirect: "manual" });
    return finishSso(start, new URL(res.headers.get("location")!));
  }

  it("signs in with the verified primary email and lands on the asked-for page", async () => {
    github.signedIn = person(101, "octo", [
      { email: "octo@users.noreply.example", primary: false, verified: true },
      { email: "octo@corp.example", primary: true, verified: true },
    ]);
    const result = await gitHubSignIn();
    expect(result.location.pathname).toBe("/inbox");
    expect(await whoIs(result.cookie)).toBe("octo@corp.example");
    const { db } = await getApp();
    const octo = await userByEmail("octo@corp.example");
    expect((await db.select().from(account).where(eq(account.userId, octo!.id))).map((a) => [a.providerId, a.accountId])).toEqual([["github", "101"]]);
  });

  it("never uses an unverified or non-primary address: no verified primary, no sign-in", async () => {
    github.signedIn = { ...person(102, "sneaky", [{ email: "sneaky@corp.example", primary: true, verified: false }, { email: "s@other.example", primary: false, verified: true }]), email: "ada@corp.example" };
    const result = await gitHubSignIn();
    expect(result.cookie).toBe("");
    expect(result.location.searchParams.get("error")).toBe("email_not_found");
    expect(await userByEmail("sneaky@corp.example")).toBeUndefined();
    const { db } = await getApp();
    expect(await db.select().from(account).where(eq(account.accountId, "102"))).toEqual([]);
  });
});

describe("provisioning into teams (SSO_TEAM_RULES)", () => {
  it("made the first account owner of the first team, which a member rule does not lower", async () => {
    expect(await teamsOf("ada@corp.example")).toEqual({ default: "owner" });
  });

  it("puts a new person in the rules' teams with the highest role their matching rules give", async () => {
    expect(await teamsOf("grace@contractor.example")).toEqual({ default: "admin" });
    await oidcSignIn("dora", { email: "dora@corp.example", groups: ["agentdesk-admins"] });
    expect(await teamsOf("dora@corp.example")).toEqual({ default: "admin" });
  });

  it("applies the rules on every sign-in: a team made later is joined, an existing role is kept, a missing team is skipped", async () => {
    const person = { email: "hedy@corp.example", groups: ["platform", "ghosts"] };
    const first = await oidcSignIn("hedy", person);
    expect(await whoIs(first.cookie)).toBe("hedy@corp.example");
    expect(await teamsOf("hedy@corp.example")).toEqual({ default: "member" });

    const app = await getApp();
    const ada = await userByEmail("ada@corp.example");
    await createTeam(app, await principalFor(ada!.id), { name: "Platform", slug: "platform", ownerEmail: "ada@corp.example" });
    // A team admin made Hedy a viewer of the default team meanwhile.
    const hedy = await userByEmail("hedy@corp.example");
    await app.db.update(teamMember).set({ role: "viewer" }).where(and(eq(teamMember.userId, hedy!.id), eq(teamMember.teamId, (await firstTeam(app)).id)));

    await oidcSignIn("hedy", { ...person, groups: ["platform", "platform-leads", "ghosts", "agentdesk-admins"] });
    expect(await teamsOf("hedy@corp.example")).toEqual({ default: "viewer", platform: "admin" });
  });

  it("provisions a GitHub sign-in by its verified email's domain", async () => {
    expect(await teamsOf("octo@corp.example")).toEqual({ default: "member" });
  });
});
