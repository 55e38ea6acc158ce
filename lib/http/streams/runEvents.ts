import { z } from "zod";
import { AppError } from "@/lib/errors";
import { STREAM_ID } from "@/lib/eventLog";
import { route } from "@/lib/http/route";
import { sseResponse } from "@/lib/http/sseResponse";
import { runEventHub } from "@/lib/server/runEventHub";
import { runEventStream } from "@/lib/server/runEventStream";
import { assertRunVisible } from "@/lib/services/runs";

export const dynamic = "force-dynamic";

const after = z.string().refine((v) => v === "0" || STREAM_ID.test(v), "must be an event id like 1700000000000-0");

export const GET = route({ access: "user" }, async ({ app, principal, params, req }) => {
  const runId = params.id!;
  await assertRunVisible(app, principal, runId);
  const raw = req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("after") ?? "0";
  const parsed = after.safeParse(raw);
  if (!parsed.success) {
    throw new AppError("invalid_request", `Last-Event-ID / after: ${parsed.error.issues[0]!.message}`, [
      { path: "after", message: parsed.error.issues[0]!.message },
    ]);
  }
  const stream = runEventStream({
    db: app.db,
    log: app.eventLog,
    hub: runEventHub(app.config.redisUrl, app.config.redisPrefix),
    runId,
    afterId: parsed.data,
    signal: req.signal,
  });
  return sseResponse(stream);
});
