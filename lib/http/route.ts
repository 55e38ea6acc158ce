import type { z } from "zod";
import { AppError, isRedisUnavailable, QUEUE_UNREACHABLE } from "../errors";
import { getApp, type App } from "../server/app";
import { isAdmin, type Principal } from "../services/principal";
import { principalFromHeaders } from "../services/session";
import { parseInput, rejectNul } from "./zodIssues";

type Access = "public" | "user" | "admin";

export type RouteContext<P, B, Q> = {
  app: App;
  req: Request;
  principal: P;
  params: Record<string, string>;
  body: B;
  query: Q;
};

type Options<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> = {
  access: Access;
  body?: B;
  query?: Q;
};

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function jsonError(err: AppError): Response {
  return Response.json(err.toJSON(), { status: err.status });
}

/**
 * Cookie-authenticated state changes must come from our own origin (a cross-site form post
 * carries the cookie too). Bearer-token requests cannot be forged by a browser, so they pass.
 */
function assertSameOrigin(req: Request, appUrl: string): void {
  if (!STATE_CHANGING.has(req.method)) return;
  if (req.headers.get("authorization")?.toLowerCase().startsWith("bearer ")) return;
  const origin = req.headers.get("origin");
  const site = req.headers.get("sec-fetch-site");
  if (origin) {
    if (origin !== new URL(appUrl).origin && origin !== new URL(req.url).origin) {
      throw new AppError("forbidden", `Cross-origin request from ${origin} refused`);
    }
  } else if (site && site !== "same-origin" && site !== "none") {
    throw new AppError("forbidden", "Cross-site request refused");
  }
}

async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid_request", "Request body is not valid JSON");
  }
}

export function toErrorResponse(err: unknown, where: string): Response {
  if (err instanceof AppError) return jsonError(err);
  if (isRedisUnavailable(err)) {
    console.error(`[api] ${where}: Redis unavailable:`, (err as Error).message);
    return jsonError(new AppError("unavailable", `${QUEUE_UNREACHABLE}; try again shortly`));
  }
  console.error(`[api] ${where}: unexpected error`, err);
  return jsonError(new AppError("internal", "Something went wrong on our side; it has been logged"));
}

/**
 * What every route resolves before its handler runs: the caller (and their access), the
 * origin of a state change, no NUL character anywhere in the path parameters, query or body,
 * and the body and query validated with zod (400 naming the fields). Throws AppError.
 * lib/server/directStreams.ts resolves the same for the streams it serves ahead of Next.
 */
export async function routeContext<
  A extends Access,
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
>(
  options: Options<B, Q> & { access: A },
  req: Request,
  params: Record<string, string>,
): Promise<RouteContext<A extends "public" ? Principal | null : Principal, Infer<B>, Infer<Q>>> {
  const app = await getApp();
  assertSameOrigin(req, app.config.appUrl);
  const principal = await principalFromHeaders(app, req.headers);
  if (options.access !== "public" && !principal) {
    throw new AppError("unauthorized", "Sign in, or send an API token as 'Authorization: Bearer <token>'");
  }
  // A read token only reads (lib/teamRoles.ts), whatever the route; the services check the rest.
  if (principal?.scope === "read" && STATE_CHANGING.has(req.method)) {
    throw new AppError("forbidden", 'This API token\'s scope is "read": it can only read (GET); create a token of scope "run" or "admin"');
  }
  if (options.access === "admin" && principal && !isAdmin(principal)) {
    throw new AppError("forbidden", "Only an admin can do this");
  }
  rejectNul(params, "path");
  // Every query parameter, also those a handler reads itself (`after`, `format`).
  const searchParams = Object.fromEntries(new URL(req.url).searchParams);
  rejectNul(searchParams, "query");
  const rawBody = options.body ? await readJson(req) : undefined;
  rejectNul(rawBody, "request body");
  const body = options.body ? parseInput(options.body, rawBody, "request body") : undefined;
  const query = options.query ? parseInput(options.query, searchParams, "query") : undefined;
  return { app, req, principal: principal as never, params, body: body as Infer<B>, query: query as Infer<Q> };
}

/** Wraps a route handler: routeContext() first, and errors turned into the documented JSON shape. */
export function route<
  A extends Access,
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
>(
  options: Options<B, Q> & { access: A },
  handler: (
    ctx: RouteContext<A extends "public" ? Principal | null : Principal, Infer<B>, Infer<Q>>,
  ) => Promise<Response | unknown>,
) {
  return async (req: Request, ctx: { params: Promise<Record<string, string>> }): Promise<Response> => {
    const where = `${req.method} ${new URL(req.url).pathname}`;
    try {
      const context = await routeContext(options, req, (await ctx?.params) ?? {});
      const result = await handler(context);
      return result instanceof Response ? result : Response.json(result);
    } catch (err) {
      return toErrorResponse(err, where);
    }
  };
}
