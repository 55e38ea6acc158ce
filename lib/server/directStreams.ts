import type http from "node:http";
import { routeContext, toErrorResponse } from "../http/route";
import { SSE_HEADERS } from "../http/sseResponse";
import { RUN_FEED_ACCESS, runFeedFor } from "../http/streams/runEvents";
import { GET as userEvents } from "../http/streams/userEvents";
import { nodeSseConnection } from "./sseConnection";
import { startRunEventFeed, VIEWER_QUEUE_BYTES } from "./runEventStream";
import { contentSecurityPolicy, newNonce, STATIC_SECURITY_HEADERS } from "./securityHeaders";

/**
 * The two live streams (a run's feed, a user's channel), answered on the Node server ahead of
 * Next with the same checks Next's routes make (routeContext: session or token, visibility,
 * the resume id validated), and the same security headers as every other response.
 *
 * Why: a run watched by 500 people sends every event 500 times from the web's one thread.
 * Next pipes a route's response through web streams with a flush per chunk; measured here
 * (bench/eventLatency.ts, 2-core machine) that, plus a ReadableStream per viewer, cost about
 * 45 µs per viewer per event, 22 ms of the thread per event at 500 viewers. A bare
 * `res.write` of the shared chunk to 500 sockets costs about 7 ms. So the run feed writes to
 * the response itself (sseConnection.ts); the user channel, one per open tab and a few
 * messages a minute, is piped from its web stream.
 */

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Incoming = { request: Request; params: Record<string, string>; res: http.ServerResponse };

const ROUTES: { pattern: RegExp; params: (match: RegExpExecArray) => Record<string, string>; serve: (r: Incoming) => Promise<void> }[] = [
  { pattern: /^\/api\/runs\/([^/]+)\/events$/, params: (m) => ({ id: decodeURIComponent(m[1]!) }), serve: serveRunFeed },
  { pattern: /^\/api\/events$/, params: () => ({}), serve: (r) => pipeResponse(r, userEvents) },
];

/** Takes a GET of one of the streams and answers it; anything else (or a path it cannot decode) is Next's. */
export function serveDirectStream(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (req.method !== "GET" || !req.url?.startsWith("/api/")) return false;
  const pathname = req.url.split("?", 1)[0]!;
  for (const { pattern, params, serve } of ROUTES) {
    const match = pattern.exec(pathname);
    if (!match) continue;
    let routeParams: Record<string, string>;
    let request: Request;
    const aborted = new AbortController();
    try {
      routeParams = params(match);
      request = new Request(new URL(req.url, `http://${req.headers.host ?? "localhost"}`), {
        headers: requestHeaders(req),
        signal: aborted.signal,
      });
    } catch {
      // A malformed escape or host: Next's own parsing answers it as for any other route.
      return false;
    }
    res.on("close", () => aborted.abort());
    serve({ request, params: routeParams, res }).catch((err: unknown) => failed(err, request, res));
    return true;
  }
  return false;
}

/** From req.headers, not rawHeaders: requestHook.ts replaced any client-sent address stamp there. */
function requestHeaders(req: http.IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (value) for (const v of value) headers.append(name, v);
  }
  return headers;
}

function headersWith(extra: Record<string, string>): Record<string, string> {
  const policy = contentSecurityPolicy(newNonce(), process.env.NODE_ENV === "development");
  return { ...STATIC_SECURITY_HEADERS, "Content-Security-Policy": policy, ...extra };
}

/** An error before the stream began is answered as route() answers it; after, the connection is cut. */
async function failed(err: unknown, request: Request, res: http.ServerResponse): Promise<void> {
  const where = `GET ${new URL(request.url).pathname}`;
  if (res.headersSent) {
    console.error(`[sse] ${where}: the stream broke:`, err);
    res.destroy();
    return;
  }
  const answer = toErrorResponse(err, where);
  res.writeHead(answer.status, headersWith(Object.fromEntries(answer.headers)));
  res.end(await answer.text());
}

async function serveRunFeed({ request, params, res }: Incoming): Promise<void> {
  const feed = await runFeedFor(await routeContext(RUN_FEED_ACCESS, request, params));
  if (res.destroyed) return feed.access?.release();
  res.writeHead(200, headersWith(SSE_HEADERS));
  // The headers go now: an EventSource opens on them, before the first event.
  res.flushHeaders();
  startRunEventFeed(feed, nodeSseConnection(res, VIEWER_QUEUE_BYTES));
}

/** A route handler's whole response, its body written as it comes. */
async function pipeResponse({ request, params, res }: Incoming, handler: Handler): Promise<void> {
  const response = await handler(request, { params: Promise.resolve(params) });
  res.writeHead(response.status, headersWith(Object.fromEntries(response.headers)));
  res.flushHeaders();
  if (response.body) await pipeBody(response.body, res);
  if (!res.destroyed) res.end();
}

/**
 * Writes the body as it comes, and stops reading while the socket does not take it: the
 * stream's own queue then fills, which is how a viewer learns its client is slow.
 */
async function pipeBody(body: ReadableStream<Uint8Array>, res: http.ServerResponse): Promise<void> {
  const reader = body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  res.once("close", stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) return;
      if (!res.write(value)) await drainedOrClosed(res);
    }
  } finally {
    res.off("close", stop);
  }
}

function drainedOrClosed(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
