import type { z } from "zod";
import { AppError, type FieldIssue } from "../errors";
import { findNul, storableText } from "../storableText";

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({
    path: i.path.length ? i.path.map(String).join(".") : "(body)",
    message: i.message,
  }));
}

/** Parses input against a schema, or throws a 400 that names every field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = "request"): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = fieldIssues(parsed.error);
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  throw new AppError("invalid_request", `Invalid ${what}: ${summary}`, issues);
}

export const NUL_MESSAGE = "must not contain a NUL character (\\u0000)";

/**
 * The issue for the first string (or key) of some input that holds a NUL character, or null.
 * No field of ours means anything with a NUL, and PostgreSQL cannot store one: refusing it at
 * the boundary, naming the field, beats a 500 from deep inside.
 */
export function nulIssue(input: unknown): FieldIssue | null {
  const path = findNul(input);
  if (!path) return null;
  // A key may hold the NUL itself: the path names it with the NUL shown as "␀".
  return { path: path.length ? path.map((p) => storableText(String(p))).join(".") : "(body)", message: NUL_MESSAGE };
}

/** Throws a 400 naming the field if any string or key of `input` holds a NUL character. */
export function rejectNul(input: unknown, what = "request"): void {
  const issue = nulIssue(input);
  if (issue) throw new AppError("invalid_request", `Invalid ${what}: ${issue.path}: ${issue.message}`, [issue]);
}
