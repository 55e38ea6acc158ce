import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * A fake Anthropic Messages API: the only model API the tests (and `npm run demo`) talk to.
 * It speaks the real wire format, so the real @anthropic-ai/sdk reaches it through
 * ANTHROPIC_BASE_URL: `POST /v1/messages` answered as JSON, or as server-sent events when the
 * request says `stream: true` (message_start, content_block_start/delta/stop with text_delta
 * and input_json_delta split into partial chunks, message_delta, message_stop, ping), error
 * bodies `{type:"error", error:{type, message}}` with retry-after headers, delays, a hang
 * mid-stream and a connection reset.
 *
 * Each test gives it a script: one turn per request, in order (or a function choosing the
 * turn). Every request body is recorded, so tests assert what the agent sent.
 *
 *   const fake = await startFakeAnthropic([
 *     { content: [{ type: "tool_use", name: "read_file", input: { path: "a.txt" } }] },
 *     { content: [{ type: "text", text: "Done." }] },
 *   ]);
 *   process.env.ANTHROPIC_BASE_URL = fake.url;
 */

export type FakeUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
};

export type FakeBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; name: string; input: unknown; id?: string };

export type FakeResponse = {
  content: FakeBlock[];
  /** Default: "tool_use" when a tool_use block is present, else "end_turn". */
  stopReason?: "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "refusal" | "pause_turn";
  usage?: Partial<FakeUsage>;
  /** Pause between SSE events (ms). */
  chunkDelayMs?: number;
  /** Pause before the response starts (ms). */
  delayMs?: number;
  /** Stop writing after this many SSE events and keep the connection open (cancel tests). */
  hangAfterEvents?: number;
  /** Destroy the connection after this many SSE events (a stream interrupted mid-way). */
  resetAfterEvents?: number;
};

export type FakeError = {
  error: {
    status: number;
    type: string;
    message: string;
    /** Sent as the `retry-after` header (seconds or an HTTP date). */
    retryAfter?: string;
  };
};

/** The connection is reset before any response (ECONNRESET on the client). */
export type FakeReset = { reset: true };

export type FakeTurn = FakeResponse | FakeError | FakeReset;

export type FakeScript = FakeTurn[] | ((request: RecordedRequest, index: number) => FakeTurn);

export type RecordedRequest = {
  /** The parsed JSON body, exactly as the SDK sent it. */
  body: MessagesRequestBody;
  headers: http.IncomingHttpHeaders;
};

/** The fields of a Messages request the tests look at; the rest stays available as unknown. */
export type MessagesRequestBody = {
  model: string;
  max_tokens: number;
  stream?: boolean;
  system?: string | { type: "text"; text: string; cache_control?: unknown }[];
  tools?: { name: string; description?: string; input_schema: unknown; cache_control?: unknown }[];
  messages: { role: "user" | "assistant"; content: string | ContentBlockParam[] }[];
  [key: string]: unknown;
};

export type ContentBlockParam = {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
  cache_control?: unknown;
};

export type FakeAnthropic = {
  /** Give this to the SDK as `baseURL` (ANTHROPIC_BASE_URL). */
  url: string;
  requests: RecordedRequest[];
  /** Requests to routes the fake does not serve ("GET /v1/models"), answered 404. */
  unhandled: string[];
  /** Replaces the script; the request count starts again at 0. */
  setScript(script: FakeScript): void;
  /** Resolves when a response has hung (`hangAfterEvents`), with the request's index. */
  hung(): Promise<number>;
  close(): Promise<void>;
};

export async function startFakeAnthropic(initial: FakeScript = []): Promise<FakeAnthropic> {
  let script = initial;
  let scriptStart = 0;
  const requests: RecordedRequest[] = [];
  const unhandled: string[] = [];
  const sockets = new Set<Socket>();
  let hungWaiters: ((index: number) => void)[] = [];

  const nextTurn = (request: RecordedRequest, index: number): FakeTurn | undefined =>
    typeof script === "function" ? script(request, index) : script[index];

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      // A bug in the fake itself: make it loud in the test that hit it.
      console.error("fake Anthropic server failed", e);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const route = `${req.method} ${req.url?.split("?")[0]}`;
    if (route === "POST /v1/messages/count_tokens") {
      // Claude Code may count a prompt's tokens: a plausible figure, not part of the script.
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ input_tokens: Math.ceil(Buffer.concat(chunks).length / 4) }));
      return;
    }
    if (route !== "POST /v1/messages") {
      // Anything else a client sends is noted (tests look at it) and refused as the API would.
      unhandled.push(`${req.method} ${req.url}`);
      sendError(res, { status: 404, type: "not_found_error", message: `no route ${req.method} ${req.url}` });
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as MessagesRequestBody;
    const recorded: RecordedRequest = { body, headers: req.headers };
    requests.push(recorded);
    const index = requests.length - 1 - scriptStart;
    const turn = nextTurn(recorded, index);

    if (!turn) {
      sendError(res, {
        status: 400,
        type: "invalid_request_error",
        message: `fake Anthropic: the script has no turn ${index + 1} (it has ${Array.isArray(script) ? script.length : "?"})`,
      });
      return;
    }
    if ("reset" in turn) {
      req.socket.destroy();
      return;
    }
    if ("error" in turn) {
      sendError(res, turn.error);
      return;
    }
    if (turn.delayMs) await sleep(turn.delayMs);
    const message = buildMessage(body, turn, index);
    if (!body.stream) {
      res.writeHead(200, { "content-type": "application/json", "request-id": `req_${index}` });
      res.end(JSON.stringify(message));
      return;
    }
    await streamMessage(res, message, turn, () => {
      const waiters = hungWaiters;
      hungWaiters = [];
      for (const w of waiters) w(index);
    });
  }

  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    unhandled,
    setScript(next) {
      script = next;
      scriptStart = requests.length;
    },
    hung: () => new Promise<number>((resolve) => hungWaiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

type WireBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown };

type WireMessage = {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: WireBlock[];
  stop_reason: string;
  stop_sequence: null;
  usage: FakeUsage;
};

function buildMessage(body: MessagesRequestBody, turn: FakeResponse, index: number): WireMessage {
  const content: WireBlock[] = turn.content.map((b) =>
    b.type === "text" ? b : { type: "tool_use", id: b.id ?? `toolu_${crypto.randomBytes(8).toString("hex")}`, name: b.name, input: b.input },
  );
  const hasTool = content.some((b) => b.type === "tool_use");
  const outputChars = JSON.stringify(content).length;
  return {
    id: `msg_fake_${index}_${crypto.randomBytes(4).toString("hex")}`,
    type: "message",
    role: "assistant",
    model: body.model,
    content,
    stop_reason: turn.stopReason ?? (hasTool ? "tool_use" : "end_turn"),
    stop_sequence: null,
    // Plausible figures: the first request writes the cached prefix, later ones read it.
    usage: {
      input_tokens: 50,
      output_tokens: Math.ceil(outputChars / 4),
      cache_creation_input_tokens: index === 0 ? 1_000 : 100,
      cache_read_input_tokens: index === 0 ? 0 : 1_000,
      ...turn.usage,
    },
  };
}

/** The SSE events of a message, as the real API sends them. */
function messageEvents(message: WireMessage): { event: string; data: unknown }[] {
  const events: { event: string; data: unknown }[] = [];
  const { usage, content, ...rest } = message;
  events.push({
    event: "message_start",
    data: {
      type: "message_start",
      message: { ...rest, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
    },
  });
  events.push({ event: "ping", data: { type: "ping" } });
  content.forEach((block, index) => {
    if (block.type === "text") {
      events.push({ event: "content_block_start", data: { type: "content_block_start", index, content_block: { type: "text", text: "" } } });
      for (const piece of splitInto(block.text, 3)) {
        events.push({
          event: "content_block_delta",
          data: { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } },
        });
      }
    } else {
      events.push({
        event: "content_block_start",
        data: { type: "content_block_start", index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } },
      });
      // The input arrives as partial JSON, cut anywhere, as the real API does.
      for (const piece of splitInto(JSON.stringify(block.input), 3)) {
        events.push({
          event: "content_block_delta",
          data: { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: piece } },
        });
      }
    }
    events.push({ event: "content_block_stop", data: { type: "content_block_stop", index } });
  });
  events.push({
    event: "message_delta",
    data: {
      type: "message_delta",
      delta: { stop_reason: message.stop_reason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    },
  });
  events.push({ event: "message_stop", data: { type: "message_stop" } });
  return events;
}

async function streamMessage(res: http.ServerResponse, message: WireMessage, turn: FakeResponse, onHang: () => void) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "request-id": message.id });
  const events = messageEvents(message);
  for (const [i, { event, data }] of events.entries()) {
    if (turn.hangAfterEvents !== undefined && i >= turn.hangAfterEvents) {
      onHang();
      // Leave the response open; the client aborting (or close()) ends it.
      await new Promise<void>((resolve) => res.on("close", resolve));
      return;
    }
    if (turn.resetAfterEvents !== undefined && i >= turn.resetAfterEvents) {
      // Let what was written reach the client first: the stream breaks mid-answer.
      await sleep(50);
      res.socket?.destroy();
      return;
    }
    if (res.destroyed) return;
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (turn.chunkDelayMs) await sleep(turn.chunkDelayMs);
  }
  res.end();
}

function sendError(res: http.ServerResponse, error: FakeError["error"]) {
  const headers: Record<string, string> = { "content-type": "application/json", "x-should-retry": "false" };
  if (error.retryAfter !== undefined) headers["retry-after"] = error.retryAfter;
  res.writeHead(error.status, headers);
  res.end(JSON.stringify({ type: "error", error: { type: error.type, message: error.message } }));
}

/** Splits text into at most `n` non-empty pieces (one piece for short text). */
function splitInto(text: string, n: number): string[] {
  if (text.length <= n) return [text];
  const size = Math.ceil(text.length / n);
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Shorthands for scripts. */
export const turn = {
  text: (text: string, extra: Partial<FakeResponse> = {}): FakeResponse => ({ content: [{ type: "text", text }], ...extra }),
  tool: (name: string, input: unknown, extra: Partial<FakeResponse> & { text?: string; id?: string } = {}): FakeResponse => {
    const { text, id, ...rest } = extra;
    return {
      content: [...(text ? [{ type: "text" as const, text }] : []), { type: "tool_use", name, input, ...(id ? { id } : {}) }],
      ...rest,
    };
  },
  error: (status: number, type: string, message: string, retryAfter?: string): FakeError => ({
    error: { status, type, message, ...(retryAfter !== undefined ? { retryAfter } : {}) },
  }),
  reset: (): FakeReset => ({ reset: true }),
};
