import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { user, verification } from "../db/schema";
import { AppError } from "../errors";
import type { App } from "../server/app";
import { isAdmin, type Principal } from "./principal";

/**
 * Password reset without an e-mail server: an admin makes a one-time link for a user and hands
 * it over; the user sets a new password through better-auth's own `/reset-password` endpoint
 * with the link's token. The token lives in better-auth's verification table under
 * `reset-password:<token>`, stored hashed (lib/auth.ts `verification.storeIdentifier`), with an
 * expiry; better-auth consumes it atomically (single use) and ends every session of the user.
 */

export const RESET_PREFIX = "reset-password:";
const TOKEN_PREFIX = "adr_";

export const createResetLinkInput = z
  .object({ expiresInHours: z.coerce.number().int().min(1).max(24 * 7).default(24) })
  .strict();
export type CreateResetLinkInput = z.infer<typeof createResetLinkInput>;

export type ResetLink = { url: string; token: string; email: string; expiresAt: string };

export const resetPasswordUrl = (appUrl: string, token: string) => `${appUrl}/reset-password?token=${encodeURIComponent(token)}`;

/**
 * better-auth keys only reset links by the user id (`value`) in the verification table here (no
 * e-mail verification is used), so "the user's links" are the rows whose value is their id.
 */
export async function revokeResetLinks(app: Pick<App, "db">, userId: string): Promise<void> {
  await app.db.delete(verification).where(eq(verification.value, userId));
}

/** Creates a reset link for a user (admins only); a newer link replaces the user's older ones. */
export async function createResetLink(
  app: Pick<App, "db" | "auth" | "config">,
  principal: Principal,
  userId: string,
  input: CreateResetLinkInput,
): Promise<ResetLink> {
  if (!isAdmin(principal)) throw new AppError("forbidden", "Only an admin can create password reset links");
  // Nothing to reset: the reset route is refused too (lib/auth.ts), so a link would only mislead.
  if (!app.config.passwordSignIn) throw new AppError("conflict", "Password sign-in is switched off on this AgentDesk (PASSWORD_SIGN_IN=off): people sign in through single sign-on, there is no password to reset");
  const [target] = await app.db.select({ id: user.id, email: user.email }).from(user).where(eq(user.id, userId));
  if (!target) throw new AppError("not_found", "No such user");
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + input.expiresInHours * 3600_000);
  await revokeResetLinks(app, target.id);
  const auth = await app.auth.$context;
  await auth.internalAdapter.createVerificationValue({ identifier: RESET_PREFIX + token, value: target.id, expiresAt });
  return { url: resetPasswordUrl(app.config.appUrl, token), token, email: target.email, expiresAt: expiresAt.toISOString() };
}

/** The account a reset token is for, or null when it is unknown, used or expired (for the page). */
export async function resetLinkAccount(app: Pick<App, "db" | "auth">, token: string): Promise<{ email: string } | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const auth = await app.auth.$context;
  const row = await auth.internalAdapter.findVerificationValue(RESET_PREFIX + token);
  if (!row || row.expiresAt < new Date()) return null;
  const [target] = await app.db.select({ email: user.email }).from(user).where(eq(user.id, row.value));
  return target ?? null;
}
