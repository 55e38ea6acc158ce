import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { AppError, isRedisUnavailable, QUEUE_UNREACHABLE, type FieldIssue } from "../errors";
import { getApp, type App } from "../server/app";
import type { Principal } from "../services/principal";
import { principalFromHeaders } from "../services/session";
import { fieldIssues, nulIssue } from "./zodIssues";

export type FieldErrors = Record<string, string>;

/** What a form receives back from a server action. `null` before the first submit. */
export type ActionFailure = { ok: false; error: string; fieldErrors?: FieldErrors };
export type ActionResult<T> = { ok: true; data: T } | ActionFailure | null;

const FIELDS_SUMMARY = "Please correct the fields marked below.";

/** Form values as a plain object; an empty field counts as not given, so optional fields stay optional. */
function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (key.startsWith("$ACTION")) continue;
    if (typeof value === "string" && value.trim() !== "") values[key] = value;
  }
  return values;
}

// zod's wording for a missing value names types; a form user only needs to know it is required.
const humanMessage = (message: string) => (/received undefined$/.test(message) ? "is required" : message);

function toFieldErrors(issues: FieldIssue[]): { fieldErrors: FieldErrors; general: string[] } {
  const fieldErrors: FieldErrors = {};
  const general: string[] = [];
  for (const issue of issues) {
    if (issue.path === "(body)" || issue.path === "") general.push(humanMessage(issue.message));
    else fieldErrors[issue.path] ??= humanMessage(issue.message);
  }
  return { fieldErrors, general };
}

function failure(error: string, issues?: FieldIssue[]): ActionFailure {
  if (!issues?.length) return { ok: false, error };
  const { fieldErrors, general } = toFieldErrors(issues);
  return { ok: false, error: general.join("; ") || FIELDS_SUMMARY, fieldErrors };
}

/**
 * A form's values checked as every server action checks them: no NUL character in any field
 * (PostgreSQL cannot store one), then the action's zod schema. Failures name the fields.
 */
export function parseActionForm<S extends z.ZodType>(
  schema: S,
  form: FormData,
): { ok: true; data: z.infer<S> } | ActionFailure {
  const values: Record<string, string> = {};
  // Every entry, empty ones and file names included, before formValues drops any.
  for (const [key, value] of form.entries()) values[key] = typeof value === "string" ? value : value.name;
  const nul = nulIssue(values);
  if (nul) return failure(FIELDS_SUMMARY, [nul]);
  const parsed = schema.safeParse(formValues(form));
  if (!parsed.success) return failure(FIELDS_SUMMARY, fieldIssues(parsed.error));
  return { ok: true, data: parsed.data };
}

/**
 * The one wrapper for server actions: resolves the session itself (never trusting a page to
 * have done it), validates the form with the same zod schema the API uses, and turns errors
 * into something a form can show. `redirect()` and `notFound()` inside the handler still work.
 */
export function authedAction<S extends z.ZodType, T>(
  schema: S,
  handler: (principal: Principal, input: z.infer<S>, app: App) => Promise<T>,
) {
  return async (_previous: ActionResult<T>, form: FormData): Promise<ActionResult<T>> => {
    try {
      const app = await getApp();
      const principal = await principalFromHeaders(app, await headers());
      if (!principal) return { ok: false, error: "Your session has ended. Sign in again." };
      const parsed = parseActionForm(schema, form);
      if (!parsed.ok) return parsed;
      return { ok: true, data: await handler(principal, parsed.data, app) };
    } catch (err) {
      unstable_rethrow(err);
      if (err instanceof AppError) return failure(err.message, err.issues);
      if (isRedisUnavailable(err)) {
        console.error("[action] Redis unavailable:", (err as Error).message);
        return { ok: false, error: `${QUEUE_UNREACHABLE}; try again shortly.` };
      }
      console.error("[action] unexpected error", err);
      return { ok: false, error: "Something went wrong on our side; it has been logged." };
    }
  };
}
