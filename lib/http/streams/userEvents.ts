import { STREAM_ID } from "@/lib/eventLog";
import { fieldError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { sseResponse } from "@/lib/http/sseResponse";
import { watchAccess } from "@/lib/server/accessHub";
import { userChannelHub } from "@/lib/server/userChannelHub";
import { userChannelStream } from "@/lib/server/userChannelStream";
import { runVisibility } from "@/lib/services/runVisibility";

/** Where the client resumes: its Last-Event-ID (what EventSource sends) or `?after=`; null on a first connection. */
function resumeFrom(req: Request): string | null {
  const header = req.headers.get("last-event-id");
  const query = new URL(req.url).searchParams.get("after");
  const [field, value] = header !== null ? ["Last-Event-ID", header] : ["after", query];
  if (value === null || value === "") return null;
  if (!STREAM_ID.test(value)) throw fieldError(field, "must be an event id like 1700000000000-0");
  return value;
}

/**
 * The signed-in user's live channel (SSE): changes of the runs they may see (status, usage,
 * input requests opened and closed), resumable by id; see lib/server/userChannelStream.ts.
 */
export const GET = route({ access: "user" }, async ({ app, principal, req }) => {
  const afterId = resumeFrom(req);
  // The channel ends when the user is disabled, removed or given another role (lib/server/accessHub.ts).
  const access = await watchAccess(app, principal);
  const stream = userChannelStream({
    redis: app.redis,
    stream: app.eventLog.keys.runChanges,
    hub: userChannelHub(app.config.redisUrl, app.config.redisPrefix),
    visibility: runVisibility(principal),
    afterId,
    signal: AbortSignal.any([req.signal, access.signal]),
    onEnd: access.release,
  });
  return sseResponse(stream);
});
