import crypto from "node:crypto";
import http from "node:http";
import https from "node:https";
import { listenForSandbox, type ListenOn, type ListeningServer } from "./listen";

/**
 * What a sandboxed agent may ask of the model: the Messages API of `upstreamUrl`, paid with
 * `apiKey`. The key stays in the job process; the sandbox only ever sees a per-sandbox token.
 */
export type ModelAccess = {
  /** The Anthropic API's base URL (config.anthropicBaseUrl, else https://api.anthropic.com). */
  upstreamUrl: string;
  apiKey: string;
};

export type ModelGatewayOptions = ModelAccess & {
  /** A unix socket bridged into the sandbox; a loopback port with SANDBOX=off. */
  listen: ListenOn;
  /** The only key the gateway accepts from the sandbox (`x-api-key` or `Authorization: Bearer`). */
  token: string;
  /** Told about every refused request (a wrong token, path or method), e.g. for the run's log. */
  onRefused?: (reason: string) => void;
};

export type ModelGateway = ListeningServer;

/** The only requests forwarded: creating a message, and counting its tokens. */
const FORWARDED_PATHS = new Set(["/v1/messages", "/v1/messages/count_tokens"]);

/** A conversation with a long history and pasted files stays far below this. */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

// Never passed on either way: hop-by-hop headers, and the sandbox's own credentials (the
// upstream gets the real key instead). Cookies have no business with this API.
const DROPPED_REQUEST_HEADERS = new Set([
  "host",
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "x-api-key",
  "authorization",
  "cookie",
]);
const DROPPED_RESPONSE_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "set-cookie"]);

/** A fresh random token for one sandbox. */
export function newGatewayToken(): string {
  return `agentdesk-sandbox-${crypto.randomBytes(24).toString("hex")}`;
}

/**
 * The model gateway of one sandbox: an HTTP server that forwards exactly POST /v1/messages (and
 * /v1/messages/count_tokens) carrying the sandbox's token to the real API with the real key,
 * streaming the answer back unchanged. Anything else is refused with the API's own error shape,
 * so the agent shows a sensible message.
 */
export async function startModelGateway(options: ModelGatewayOptions): Promise<ModelGateway> {
  const upstream = new URL(options.upstreamUrl);
  if (upstream.protocol !== "http:" && upstream.protocol !== "https:") {
    throw new Error(`model gateway: the upstream URL must be http(s), got "${options.upstreamUrl}"`);
  }
  const expected = Buffer.from(options.token);
  const server = http.createServer((req, res) => {
    const refusal = refusalOf(req, expected);
    if (refusal) {
      options.onRefused?.(refusal.message);
      // Whatever the client still sends is not read; the connection closes after the answer.
      sendError(res, refusal.status, refusal.type, `AgentDesk model gateway: ${refusal.message}`);
      return;
    }
    forward(upstream, options.apiKey, req, res);
  });
  return listenForSandbox(server, options.listen);
}

type Refusal = { status: number; type: string; message: string };

function refusalOf(req: http.IncomingMessage, expected: Buffer): Refusal | null {
  const pathname = (req.url ?? "").split("?")[0]!;
  if (!FORWARDED_PATHS.has(pathname)) {
    return { status: 404, type: "not_found_error", message: `${req.method} ${pathname} is not forwarded (only POST /v1/messages)` };
  }
  if (req.method !== "POST") {
    return { status: 405, type: "invalid_request_error", message: `${req.method} ${pathname} is not forwarded (only POST)` };
  }
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
  const presented = headerValue(req.headers["x-api-key"]) ?? bearer;
  if (presented === undefined || !sameToken(Buffer.from(presented), expected)) {
    return { status: 401, type: "authentication_error", message: "this sandbox's token is required" };
  }
  const length = Number(req.headers["content-length"] ?? 0);
  if (length > MAX_REQUEST_BYTES) {
    return { status: 413, type: "request_too_large", message: `the request is larger than ${MAX_REQUEST_BYTES} bytes` };
  }
  return null;
}

function sameToken(presented: Buffer, expected: Buffer): boolean {
  return presented.length === expected.length && crypto.timingSafeEqual(presented, expected);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function forward(upstream: URL, apiKey: string, req: http.IncomingMessage, res: http.ServerResponse) {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!DROPPED_REQUEST_HEADERS.has(name) && value !== undefined) headers[name] = value;
  }
  headers["x-api-key"] = apiKey;
  // The upstream URL may carry a path prefix (a proxy in front of the API); the query (e.g.
  // `?beta=true`) is the client's.
  const [pathname, query] = splitUrl(req.url ?? "");
  const basePath = upstream.pathname.replace(/\/+$/, "");
  const request = (upstream.protocol === "https:" ? https : http).request({
    protocol: upstream.protocol,
    hostname: upstream.hostname.replace(/^\[|\]$/g, ""),
    port: upstream.port || undefined,
    method: "POST",
    path: `${basePath}${pathname}${query}`,
    headers,
  });
  request.on("response", (answer) => {
    const answerHeaders: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (!DROPPED_RESPONSE_HEADERS.has(name) && value !== undefined) answerHeaders[name] = value;
    }
    res.writeHead(answer.statusCode ?? 502, answerHeaders);
    // Streamed as it comes (server-sent events): no buffering here.
    res.flushHeaders();
    answer.pipe(res);
    answer.on("error", () => res.destroy());
  });
  request.on("error", (e) => {
    if (!res.headersSent) sendError(res, 502, "api_error", `AgentDesk model gateway: could not reach the model API (${e.message})`);
    else res.destroy();
  });
  // The agent gave up (cancel, timeout): so does the upstream request.
  res.on("close", () => {
    if (!res.writableFinished) request.destroy();
  });
  let received = 0;
  req.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (received > MAX_REQUEST_BYTES) {
      request.destroy();
      if (!res.headersSent) sendError(res, 413, "request_too_large", `AgentDesk model gateway: the request is larger than ${MAX_REQUEST_BYTES} bytes`);
      req.destroy();
    }
  });
  req.pipe(request);
}

function splitUrl(url: string): [string, string] {
  const at = url.indexOf("?");
  return at === -1 ? [url, ""] : [url.slice(0, at), url.slice(at)];
}

function sendError(res: http.ServerResponse, status: number, type: string, message: string) {
  res.writeHead(status, { "content-type": "application/json", connection: "close", "x-should-retry": "false" });
  res.end(JSON.stringify({ type: "error", error: { type, message } }));
}
