import { z } from "zod";
import { AppError } from "@/lib/errors";
import { STREAM_ID } from "@/lib/eventLog";
import { route, type RouteContext } from "@/lib/http/route";
import { sseResponse } from "@/lib/http/sseResponse";
import type { Principal } from "@/lib/services/principal";
import { watchAccess } from "@/lib/server/accessHub";
import { runEventHub } from "@/lib/server/runEventHub";
import { runEventStream, type RunFeedOptions } from "@/lib/server/runEventStream";
import { assertRunVisible } from "@/lib/services/runs";

/**
 * GET /api/runs/:id/events: a run's feed as server-sent events, resumable by Last-Event-ID or
 * `?after=`. lib/server/directStreams.ts serves it on the Node server, writing to the socket
 * itself; the route file under app/ serves the same through Next (requests before
 * instrumentation installed the direct path).
 */
export const RUN_FEED_ACCESS = { access: "user" } as const;

const after = z.string().refine((v) => v === "0" || STREAM_ID.test(v), "must be an event id like 1700000000000-0");

/**
 * The run's feed for this caller: 404 for a run they may not see, 400 naming a bad resume id;
 * it ends when the caller's access is revoked (lib/server/accessHub.ts).
 */
export async function runFeedFor({ app, principal, params, req }: RouteContext<Principal, undefined, undefined>): Promise<RunFeedOptions> {
  const runId = params.id!;
  await assertRunVisible(app, principal, runId);
  const raw = req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("after") ?? "0";
  const parsed = after.safeParse(raw);
  if (!parsed.success) {
    throw new AppError("invalid_request", `Last-Event-ID / after: ${parsed.error.issues[0]!.message}`, [
      { path: "after", message: parsed.error.issues[0]!.message },
    ]);
  }
  // Last: once granted, the watch must be released by the feed (or by the caller that drops it).
  const access = await watchAccess(app, principal);
  return { db: app.db, log: app.eventLog, hub: runEventHub(app.config.redisUrl, app.config.redisPrefix), runId, afterId: parsed.data, access };
}

export const GET = route(RUN_FEED_ACCESS, async (ctx) => sseResponse(runEventStream({ ...(await runFeedFor(ctx)), signal: ctx.req.signal })));
