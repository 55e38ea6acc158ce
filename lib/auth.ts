import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { nextCookies } from "better-auth/next-js";
import { genericOAuth } from "better-auth/plugins";
import type { Config } from "./config";
import type { Db } from "./db/client";
import { schema, user as userTable, verification } from "./db/schema";
import { CLIENT_ADDRESS_HEADER } from "./server/clientAddress";
import { createSignUpGate, SignUpRefused, type Admitted } from "./services/signUpGate";
import { provisionSsoUser } from "./services/ssoProvisioning";
import { createSsoSignUpGate, SSO_NOT_ALLOWED, ssoNotAllowedMessage, type SsoAdmission } from "./services/ssoSignUp";
import { ssoProviderConfigs } from "./ssoProviders";
import { groupsFromProfile, type SsoIdentity } from "./ssoRules";
import { eq } from "drizzle-orm";

/** The invitation token a sign-up request carries in its body (`invitation`), if any. */
function invitationOf(body: unknown): string | undefined {
  const value = (body as { invitation?: unknown } | null | undefined)?.invitation;
  return typeof value === "string" && value !== "" ? value : undefined;
}

const refused = (message: string) => new APIError("FORBIDDEN", { message, code: "SIGN_UP_REFUSED" });

/** Every better-auth route that takes or sets a password: all refused with PASSWORD_SIGN_IN=off. */
const PASSWORD_ROUTES = new Set(["/sign-in/email", "/sign-up/email", "/reset-password", "/request-password-reset", "/change-password", "/set-password"]);
export const PASSWORD_SIGN_IN_OFF = "PASSWORD_SIGN_IN_OFF";

/**
 * better-auth with email + password (unless PASSWORD_SIGN_IN=off) and the single sign-on
 * providers of lib/ssoProviders.ts. The first account becomes admin; later password accounts
 * need an admin's invitation (lib/services/signUpGate.ts) unless OPEN_SIGNUP, later SSO
 * accounts a matching SSO_TEAM_RULES rule or an invitation for their address
 * (lib/services/ssoSignUp.ts). Sign-in and sign-up are rate limited per client address (the
 * one lib/server/clientAddress.ts decides), counted in the database so every web process agrees.
 */
export function createAuth({ db, config, secret }: { db: Db; config: Config; secret: string }) {
  const gate = createSignUpGate(db, config.openSignup);
  // What admitted a sign-up (its invitation, its team), from the user row's "before" hook to its
  // "after" hook (the same endpoint context is passed to both), to record the account it created.
  const admittedBy = new WeakMap<object, Admitted>();
  const ssoGate = createSsoSignUpGate(db, config.ssoTeamRules);
  // What the provider said about the person signing in through SSO, and why a new one is let
  // in, from validateUserInfo to the database hooks of the same request (keyed by its context).
  const ssoIdentity = new WeakMap<object, SsoIdentity>();
  const ssoAdmission = new WeakMap<object, SsoAdmission>();
  return betterAuth({
    baseURL: config.appUrl,
    basePath: "/api/auth",
    secret,
    trustedOrigins: [config.appUrl],
    database: drizzleAdapter(db, {
      provider: "pg",
      schema: {
        user: schema.user,
        session: schema.session,
        account: schema.account,
        verification: schema.verification,
        rateLimit: schema.rateLimit,
      },
    }),
    emailAndPassword: {
      enabled: config.passwordSignIn,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      autoSignIn: true,
      // Password reset links are made by an admin (lib/services/passwordReset.ts), there is no
      // e-mail: no sendResetPassword, so /request-password-reset stays refused. A reset ends
      // every session of the account and every other reset link it had.
      revokeSessionsOnPasswordReset: true,
      onPasswordReset: async ({ user }) => {
        await db.delete(verification).where(eq(verification.value, user.id));
      },
    },
    // Reset tokens are kept as their SHA-256 only, like invitations and API tokens.
    verification: { storeIdentifier: { default: "plain", overrides: { "reset-password:": "hashed" } } },
    account: {
      accountLinking: {
        enabled: true,
        // An SSO identity joins an existing account with its address only when the provider
        // says it verified that address (no provider is trusted blindly). Password accounts
        // here never verify their address by e-mail, so the local side cannot be required to.
        trustedProviders: [],
        requireLocalEmailVerified: false,
        allowDifferentEmails: false,
      },
      // Provider tokens are not used after sign-in; kept encrypted all the same.
      encryptOAuthTokens: true,
    },
    user: {
      // Every identity a provider brings passes here before an account is created, linked or
      // signed in (better-auth calls it for OAuth on all three).
      validateUserInfo: async ({ user: info, source }, ctx) => {
        if (source.method !== "oauth" || !source.oauth) return;
        const who: SsoIdentity = {
          email: String(info.email ?? "").toLowerCase(),
          emailVerified: info.emailVerified === true,
          groups: groupsFromProfile(source.oauth.profile, config.ssoGroupsClaim),
        };
        ssoIdentity.set(ctx, who);
        if (source.action !== "create-user") return;
        const admission = await ssoGate.decide(who);
        if (!admission) return { error: SSO_NOT_ALLOWED, errorDescription: ssoNotAllowedMessage(who.email) };
        ssoAdmission.set(ctx, admission);
      },
      additionalFields: {
        role: { type: "string", input: false, defaultValue: "user", required: false },
        // Set by an admin (lib/services/users.ts); checked below at sign-in and on every request.
        disabledAt: { type: "date", input: false, required: false },
      },
    },
    session: { expiresIn: 30 * 24 * 3600, updateAge: 24 * 3600 },
    rateLimit: {
      enabled: true,
      storage: "database",
      window: 60,
      max: 300,
      customRules: {
        "/sign-in/email": { window: 60, max: 10 },
        "/sign-up/email": { window: 60, max: 10 },
        "/reset-password": { window: 60, max: 10 },
        // Single sign-on: starting one, and the provider sending the browser back.
        "/sign-in/social": { window: 60, max: 10 },
        "/callback/*": { window: 60, max: 10 },
      },
    },
    advanced: {
      // Only our own header, set by the auth route from clientAddress() and never taken from a
      // client; better-auth's default (X-Forwarded-For) is spoofable.
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
    },
    hooks: {
      // Refuse early, before better-auth looks the email up: an uninvited caller learns nothing
      // about which addresses have accounts.
      before: createAuthMiddleware(async (ctx) => {
        if (!config.passwordSignIn && PASSWORD_ROUTES.has(ctx.path)) {
          throw new APIError("FORBIDDEN", {
            message: "Password sign-in is switched off on this AgentDesk. Sign in with single sign-on.",
            code: PASSWORD_SIGN_IN_OFF,
          });
        }
        if (ctx.path !== "/sign-up/email") return;
        const email = typeof ctx.body?.email === "string" ? ctx.body.email : undefined;
        const problem = await gate.check(invitationOf(ctx.body), email);
        if (problem) throw refused(problem);
      }),
    },
    databaseHooks: {
      // Every sign-in makes a session: a disabled account gets none, whatever the route.
      session: {
        create: {
          before: async (session) => {
            const [row] = await db.select({ disabledAt: userTable.disabledAt }).from(userTable).where(eq(userTable.id, session.userId));
            if (row?.disabledAt) {
              throw new APIError("FORBIDDEN", { message: "This account is disabled. Ask an admin of this AgentDesk.", code: "ACCOUNT_DISABLED" });
            }
          },
          // After a single sign-on (the provider's identity is known for this request), the
          // rules' teams: joined on every sign-in, so a rule added later reaches people too.
          after: async (session, ctx) => {
            const who = ctx ? ssoIdentity.get(ctx) : undefined;
            if (!who) return;
            await provisionSsoUser(db, config.ssoTeamRules, session.userId, who).catch((err: unknown) => {
              console.error(`[auth] SSO_TEAM_RULES could not be applied for ${who.email}:`, err instanceof Error ? err.message : err);
            });
          },
        },
      },
      user: {
        create: {
          // The decision that counts, taken where the row is written (atomic claims), so every
          // way of creating a user passes it.
          before: async (data, ctx) => {
            try {
              // Through a provider only what validateUserInfo admitted (nothing: refused).
              const sso = ctx && ssoIdentity.has(ctx);
              const admission = ctx ? ssoAdmission.get(ctx) : undefined;
              if (sso && !admission) throw new SignUpRefused(ssoNotAllowedMessage(data.email));
              const admitted = admission ? await ssoGate.admit(admission, data.email) : await gate.admit(invitationOf(ctx?.body), data.email);
              if (ctx) admittedBy.set(ctx, admitted);
              return { data: { ...data, role: admitted.role } };
            } catch (err) {
              if (err instanceof SignUpRefused) throw refused(err.message);
              throw err;
            }
          },
          after: async (created, ctx) => {
            const admitted = ctx ? admittedBy.get(ctx) : undefined;
            if (admitted) await gate.recordUse(admitted, created.id);
          },
        },
      },
    },
    telemetry: { enabled: false },
    plugins: [genericOAuth({ config: ssoProviderConfigs(config) }), nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;
