import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as authGet, POST as authPost } from "@/app/api/auth/[...all]/route";
import { teamMember, user } from "@/lib/db/schema";
import { getApp } from "@/lib/server/app";
import { signInAtProvider, startOidcServer, type OidcServer } from "../support/oidcServer";
import { finishSso, startSso } from "../support/ssoFlow";
import { APP_ORIGIN, call, randomIp } from "../support/web";

// PASSWORD_SIGN_IN=off: the server itself refuses every password route; the first account
// comes through single sign-on, let in by a rule.
let oidc: OidcServer;

beforeAll(async () => {
  oidc = await startOidcServer({ redirectUris: [`${APP_ORIGIN}/api/auth/callback/oidc`] });
  Object.assign(process.env, {
    PASSWORD_SIGN_IN: "off",
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID: oidc.clientId,
    OIDC_CLIENT_SECRET: oidc.clientSecret,
    SSO_TEAM_RULES: JSON.stringify([{ emailDomain: "corp.example", team: "default", role: "admin" }]),
  });
  // Migrations and the provider's discovery, within the hook's longer time limit.
  await getApp();
  await call(authGet, "/api/auth/get-session");
});

afterAll(async () => {
  await oidc?.close();
});

describe("password sign-in switched off", () => {
  it("refuses password sign-up (even the first account) and sign-in on the server, saying why", async () => {
    for (const path of ["/api/auth/sign-up/email", "/api/auth/sign-in/email"]) {
      const res = await call(authPost, path, { body: { email: "first@corp.example", password: "correct horse battery", name: "First" }, peer: randomIp() });
      expect(res.status, path).toBe(403);
      const body = (await res.json()) as { code: string; message: string };
      expect(body.code).toBe("PASSWORD_SIGN_IN_OFF");
      expect(body.message).toMatch(/single sign-on/);
    }
    const { db } = await getApp();
    expect(await db.select().from(user)).toEqual([]);
  });

  it("lets the first account in through single sign-on as admin", async () => {
    oidc.accounts.set("root", { email: "root@corp.example", name: "Root" });
    const start = await startSso("oidc", { callbackURL: "/" });
    const result = await finishSso(start, await signInAtProvider(start.providerUrl.toString(), "root"));
    expect(result.cookie).toMatch(/session_token=/);
    const { db } = await getApp();
    const [root] = await db.select().from(user).where(eq(user.email, "root@corp.example"));
    expect(root?.role).toBe("admin");
    const [membership] = await db.select().from(teamMember).where(eq(teamMember.userId, root!.id));
    expect(membership?.role).toBe("owner");

    // Nor can an admin make a password reset link: there is no password to reset.
    const { POST: resetLink } = await import("@/app/api/admin/users/[id]/password-reset/route");
    const res = await call(resetLink, `/api/admin/users/${root!.id}/password-reset`, {
      body: {},
      params: { id: root!.id },
      headers: { cookie: result.cookie },
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/PASSWORD_SIGN_IN=off/);
  });
});
