import http from "node:http";
import https from "node:https";
import { PEER_HEADER, peerStampValue } from "./clientAddress";

const INSTALLED = Symbol.for("agentdesk.requestHookInstalled");
const FRONT = Symbol.for("agentdesk.requestHookFront");

/** Takes a request before Next sees it; returns true if it answers it itself. */
export type FrontHandler = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;

const holder = globalThis as unknown as Record<symbol, FrontHandler | undefined>;

/** Replaces any client-sent PEER_HEADER with the socket's own address, before anyone reads it. */
export function stampPeerAddress(req: http.IncomingMessage): void {
  delete req.headers[PEER_HEADER];
  const address = req.socket?.remoteAddress;
  if (address) req.headers[PEER_HEADER] = peerStampValue(address);
}

/**
 * Makes every HTTP server of this process stamp each request with its socket address (see
 * clientAddress.ts for why), then offer it to `front` (lib/server/directStreams.ts: the live
 * streams, written straight to the socket) before Next. `next start` and `next dev` create
 * their server before our code runs and give us no hook into it, so we wrap the server's
 * "request" event itself: instrumentation.ts calls this before Next finishes preparing, and
 * Next holds requests until then. A request that slipped in earlier carries no genuine stamp
 * and has no known address (and is served by Next's route for the same handler).
 */
export function installRequestHook(front?: FrontHandler): void {
  if (front) holder[FRONT] = front;
  for (const Server of [http.Server, https.Server]) {
    const proto = Server.prototype as unknown as Record<symbol, unknown> & { emit: (event: string | symbol, ...args: unknown[]) => boolean };
    if (proto[INSTALLED]) continue;
    const emit = proto.emit;
    proto.emit = function hookedEmit(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
      if (event === "request" || event === "upgrade") stampPeerAddress(args[0] as http.IncomingMessage);
      if (event === "request" && holder[FRONT]?.(args[0] as http.IncomingMessage, args[1] as http.ServerResponse)) return true;
      return emit.call(this, event, ...args);
    };
    proto[INSTALLED] = true;
  }
}
