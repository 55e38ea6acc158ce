/**
 * The headers of a server-sent events response: not cached, not transformed, not buffered by
 * a proxy in front (nginx reads `x-accel-buffering`), so each message reaches the browser when
 * written.
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

export function sseResponse(stream: ReadableStream<Uint8Array>): Response {
  return new Response(stream, { headers: SSE_HEADERS });
}
