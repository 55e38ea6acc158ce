import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { nextCookies } from "better-auth/next-js";
import type { Config } from "./config";
import type { Db } from "./db/client";
import { schema, user as userTable, verification } from "./db/schema";
import { CLIENT_ADDRESS_HEADER } from "./server/clientAddress";
import { createSignUpGate, SignUpRefused, type Admitted } from "./services/signUpGate";
import { eq } from "drizzle-orm";

/** The invitation token a sign-up request carries in its body (`invitation`), if any. */
function invitationOf(body: unknown): string | undefined {
  const value = (body as { invitation?: unknown } | null | undefined)?.invitation;
  return typeof value === "string" && value !== "" ? value : undefined;
}

const refused = (message: string) => new APIError("FORBIDDEN", { message, code: "SIGN_UP_REFUSED" });

/**
 * better-auth with email + password. The first account becomes admin; later accounts need an
 * admin's invitation (lib/services/signUpGate.ts) unless OPEN_SIGNUP. Sign-in and sign-up are
 * rate limited per client address (the one lib/server/clientAddress.ts decides), counted in the
 * database so every web process agrees.
 */
export function createAuth({ db, config, secret }: { db: Db; config: Config; secret: string }) {
  const gate = createSignUpGate(db, config.openSignup);
  // What admitted a sign-up (its invitation, its team), from the user row's "before" hook to its
  // "after" hook (the same endpoint context is passed to both), to record the account it created.
  const admittedBy = new WeakMap<object, Admitted>();
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
      enabled: true,
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
    user: {
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
        },
      },
      user: {
        create: {
          // The decision that counts, taken where the row is written (atomic claims), so every
          // way of creating a user passes it.
          before: async (data, ctx) => {
            try {
              const admitted = await gate.admit(invitationOf(ctx?.body), data.email);
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
    plugins: [nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;
