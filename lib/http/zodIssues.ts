import type { z } from "zod";
import { AppError, type FieldIssue } from "../errors";

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
