import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { nextCookies } from "better-auth/next-js";
import { and, eq, sql } from "drizzle-orm";
import type { Config } from "./config";
import type { Db } from "./db/client";
import { schema, user } from "./db/schema";

/**
 * better-auth with email + password. The first account becomes admin. Sign-in and sign-up are
 * rate limited per client address, counted in the database so every web process agrees.
 */
export function createAuth({ db, config, secret }: { db: Db; config: Config; secret: string }) {
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
    emailAndPassword: { enabled: true, minPasswordLength: 8, maxPasswordLength: 128, autoSignIn: true },
    user: {
      additionalFields: {
        role: { type: "string", input: false, defaultValue: "user", required: false },
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
      },
    },
    databaseHooks: {
      user: {
        create: {
          after: async (created) => {
            // One statement, so two first sign-ups at once cannot both see "no admin yet".
            await db
              .update(user)
              .set({ role: "admin" })
              .where(
                and(
                  eq(user.id, created.id),
                  sql`not exists (select 1 from ${user} u where u.role = 'admin')`,
                ),
              );
          },
        },
      },
    },
    telemetry: { enabled: false },
    plugins: [nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;
