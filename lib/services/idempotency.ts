import crypto from "node:crypto";
import { z } from "zod";
import { AppError, fieldError } from "../errors";

/**
 * Idempotent submit (POST /api/runs and the New run form): a client that may send the same
 * request twice (a retry after a timeout, a double click) names it with a key; the same key
 * and the same request give back the run the first one made, never a second run.
 */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

// Printable ASCII without spaces at either end, like the header's draft standard (and a UUID).
const idempotencyKey = z
  .string()
  .min(1, "must not be empty")
  .max(255, "must be at most 255 characters")
  .regex(/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/, "must be printable ASCII characters");

/** The key a request carries, validated: absent is fine, malformed is a 400 naming the header. */
export function idempotencyKeyOf(value: string | null | undefined, field = IDEMPOTENCY_HEADER): string | undefined {
  if (value === null || value === undefined) return undefined;
  const parsed = idempotencyKey.safeParse(value);
  if (!parsed.success) throw fieldError(field, parsed.error.issues[0]!.message);
  return parsed.data;
}

// Keys in a stable order at every depth, so the same request always hashes the same.
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/**
 * The request as the service understood it (after validation and defaults), hashed: two
 * bodies that mean the same run (a default written out or left implicit) are the same request.
 */
export function requestHash(input: unknown): string {
  return crypto.createHash("sha256").update(JSON.stringify(canonical(input))).digest("hex");
}

/** The same key used for a different request: refused, naming the key (the first run stands). */
export function keyReusedError(key: string, field = IDEMPOTENCY_HEADER): AppError {
  return new AppError("unprocessable", `${field}: "${key}" was already used for a different request; use a new key for a new run`, [
    { path: field, message: `"${key}" was already used for a different request` },
  ]);
}
