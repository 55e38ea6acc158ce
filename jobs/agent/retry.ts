import { classifyModelError } from "./modelErrors";

/**
 * Retries of one model request. The SDK's own retries are off (`maxRetries: 0`) so that
 * every retry is ours and shows in the run's feed.
 */
export type RetryPolicy = {
  /** First backoff; doubles each attempt. */
  baseMs: number;
  /** No wait is longer, retry-after included. */
  maxMs: number;
  /** Tries in all, the first one included. */
  maxAttempts: number;
};

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1_000, maxMs: 60_000, maxAttempts: 6 };

/** A model failure that ends the run; its message is for the user. */
export class ModelRequestError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ModelRequestError";
  }
}

/** Exponential backoff with jitter (half fixed, half random), or the server's retry-after. */
export function retryDelayMs(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxMs);
  const full = Math.min(policy.baseMs * 2 ** (attempt - 1), policy.maxMs);
  return Math.round(full / 2 + (random() * full) / 2);
}

export type RetryNotice = { what: string; delayMs: number; nextAttempt: number; maxAttempts: number };

/** "model API overloaded (529); retrying in 4 s, attempt 2 of 6" */
export function retryMessage({ what, delayMs, nextAttempt, maxAttempts }: RetryNotice): string {
  const seconds = delayMs / 1000;
  const wait = seconds >= 10 || Number.isInteger(seconds) ? `${Math.round(seconds)} s` : `${seconds.toFixed(1)} s`;
  return `${what}; retrying in ${wait}, attempt ${nextAttempt} of ${maxAttempts}`;
}

/**
 * Runs `request` until it succeeds, a failure is permanent, or the attempts are used up (then
 * throws ModelRequestError with the last failure). A stop of the run (signal) ends the
 * waiting at once and is rethrown as it is.
 */
export async function withModelRetries<T>(
  request: () => Promise<T>,
  options: { policy: RetryPolicy; signal: AbortSignal; model: string; onRetry(notice: RetryNotice): Promise<void> },
): Promise<T> {
  const { policy, signal, model } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (e) {
      if (signal.aborted) throw e;
      const failure = classifyModelError(e, model);
      if (!failure.transient) throw new ModelRequestError(failure.message, { cause: e });
      if (attempt >= policy.maxAttempts) {
        throw new ModelRequestError(`${failure.what}; gave up after ${policy.maxAttempts} attempts`, { cause: e });
      }
      const delayMs = retryDelayMs(attempt, policy, failure.retryAfterMs);
      await options.onRetry({ what: failure.what, delayMs, nextAttempt: attempt + 1, maxAttempts: policy.maxAttempts });
      await abortableSleep(delayMs, signal);
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
