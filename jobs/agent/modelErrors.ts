import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "@anthropic-ai/sdk";
import { StreamInterruptedError } from "./modelTurn";

/**
 * What a failed model request means for the run: worth another try (rate limit, overload,
 * a server error, a dropped connection or stream), or final, with a message that says what
 * to change.
 */
export type ModelFailure =
  | { transient: true; what: string; retryAfterMs?: number }
  | { transient: false; message: string };

export function classifyModelError(e: unknown, model: string): ModelFailure {
  if (e instanceof APIUserAbortError) throw e; // our own cancel, not a failure of the API
  if (e instanceof StreamInterruptedError) return { transient: true, what: `model API stream interrupted (${e.message})` };
  if (e instanceof APIConnectionTimeoutError) return { transient: true, what: "model API request timed out" };
  if (e instanceof APIConnectionError) {
    const cause = e.cause instanceof Error ? `: ${causeText(e.cause)}` : "";
    return { transient: true, what: `could not reach the model API (connection error${cause})` };
  }
  if (e instanceof APIError) {
    const detail = e.apiMessage ?? e.message;
    const retryAfterMs = retryAfterOf(e.headers);
    const status = e.status;
    // An `error` event inside a stream has no HTTP status: the API failed mid-answer.
    if (status === undefined) {
      const what = e.type === "overloaded_error" ? "model API overloaded (during the stream)" : `model API error during the stream (${e.type ?? detail})`;
      return { transient: true, what };
    }
    if (status === 429) return { transient: true, what: "model API rate limit reached (429)", retryAfterMs };
    if (status === 529) return { transient: true, what: "model API overloaded (529)", retryAfterMs };
    if (status === 408 || status === 409 || status >= 500) {
      return { transient: true, what: `model API error (${status})`, retryAfterMs };
    }
    return { transient: false, message: permanentMessage(status, detail, model) };
  }
  // Anything else thrown while the answer streamed in (a reset socket, a cut-off body).
  return { transient: true, what: `model API stream interrupted (${e instanceof Error ? e.message : String(e)})` };
}

function permanentMessage(status: number, detail: string, model: string): string {
  switch (status) {
    case 401:
      return "the model API rejected the key (401): check ANTHROPIC_API_KEY on the job process";
    case 403:
      return `the model API refused access (403): the key in ANTHROPIC_API_KEY may not be allowed to use model "${model}" (${detail})`;
    case 404:
      return `the model API does not know model "${model}" (404): check the run's model or AGENT_MODEL (${detail})`;
    case 413:
      return `the conversation is too large for the model API (413): ${detail}`;
    default:
      return `the model API rejected the request (${status}): ${detail}`;
  }
}

function causeText(cause: Error): string {
  const code = (cause as NodeJS.ErrnoException).code ?? (cause.cause as NodeJS.ErrnoException | undefined)?.code;
  return code ? `${cause.message} ${code}` : cause.message;
}

/** `retry-after` as seconds or an HTTP date (and Anthropic's `retry-after-ms`), in ms. */
export function retryAfterOf(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
