/**
 * One error type for everything a request can get wrong. The code decides the HTTP status;
 * the message is safe to show a user; `issues` name the fields at fault.
 */
export const errorStatus = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  // Push protection: the run's diff holds a known secret's value; the message says where.
  secret_in_diff: 409,
  // The commit under review failed repository checks and the push did not acknowledge them.
  failed_checks: 409,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;
export type FieldIssue = { path: string; message: string };

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return errorStatus[this.code];
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) } };
  }
}

export const notFound = (what: string) => new AppError("not_found", `${what} not found`);

export function fieldError(path: string, message: string, code: ErrorCode = "invalid_request"): AppError {
  return new AppError(code, `${path}: ${message}`, [{ path, message }]);
}

/** What a person is told while Redis does not answer (API, forms, the New run page). */
export const QUEUE_UNREACHABLE = "The queue (Redis) is not reachable";

/** Errors meaning "Redis is not answering": the request should get 503, not 500. */
export function isRedisUnavailable(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : "";
  return (
    /Stream isn't writeable|enableOfflineQueue|Connection is closed|ECONNREFUSED|Reached the max retries per request|Command timed out/.test(
      msg,
    ) || (err as { code?: string })?.code === "ECONNREFUSED"
  );
}
