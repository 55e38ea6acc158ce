import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { AppError } from "../errors";
import { REQUEST_PATH_HEADER, signInPathFor } from "../returnTo";
import { isAdmin, type Principal } from "../services/principal";
import { principalFromHeaders } from "../services/session";
import { getApp, type App } from "./app";

export type PageContext = { app: App; principal: Principal };

/**
 * The signed-in user for a page, or a redirect to /sign-in that brings them back to the page
 * they asked for afterwards (a link to a run opened on a phone). Every page calls it itself.
 */
export async function requirePrincipal(): Promise<PageContext> {
  const app = await getApp();
  const requestHeaders = await headers();
  const principal = await principalFromHeaders(app, requestHeaders);
  if (!principal) redirect(signInPathFor(requestHeaders.get(REQUEST_PATH_HEADER)));
  return { app, principal };
}

/** The signed-in user, or null (for pages such as /sign-in that only redirect signed-in users). */
export async function optionalPrincipal(): Promise<Principal | null> {
  return principalFromHeaders(await getApp(), await headers());
}

/**
 * Like requirePrincipal, for admin pages. Returns null for a signed-in non-admin: the page
 * renders its "admins only" explanation instead of a bare error.
 */
export async function requireAdmin(): Promise<PageContext | null> {
  const ctx = await requirePrincipal();
  return isAdmin(ctx.principal) ? ctx : null;
}

/** A service's "not found" (including another user's run) becomes the not-found page. */
export async function orNotFound<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  }
}
