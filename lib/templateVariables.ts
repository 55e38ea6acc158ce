/**
 * A run template's variables: `{{name}}` placeholders in its prompt, the variables it declares,
 * and the one function that fills them in. Pure (no database): the New run form shows the
 * inputs with it, the service renders with it, incoming webhooks pass their values to it.
 *
 * Rendering is one pass over the template's own text: a value is put in as plain text and is
 * never read again, so a value holding `{{other}}` stays those characters (no template
 * injection). Only the prompt is rendered; a command is never templated, because a value (an
 * issue title from a webhook) must not become shell code.
 */
import { z } from "zod";
import { AppError, type FieldIssue } from "./errors";

// Dotted names, so webhooks can pass `issue.title` or `comment.body`.
const NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
export const MAX_VARIABLES = 30;
export const MAX_VALUE_LENGTH = 20_000;

// `{{ name }}` with optional spaces; anything else between braces (`{{.Id}}`, `{{ a b }}`) is
// not a placeholder and stays in the text as written.
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}/g;

export const variableName = z
  .string()
  .trim()
  .min(1, "is required")
  .max(64)
  .regex(NAME, "letters, digits and _, in parts joined by dots (e.g. issue.title)");

export const variableDeclaration = z
  .object({
    name: variableName,
    description: z.string().trim().max(500).default(""),
    required: z.boolean().default(false),
    default: z.string().max(MAX_VALUE_LENGTH).optional(),
  })
  .refine((v) => !(v.required && v.default !== undefined), {
    path: ["default"],
    message: "a required variable has no default (it must be given)",
  });
export type VariableDeclaration = z.infer<typeof variableDeclaration>;

export const variableDeclarations = z
  .array(variableDeclaration)
  .max(MAX_VARIABLES, `at most ${MAX_VARIABLES} variables`)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((v, i) => {
      if (seen.has(v.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `"${v.name}" is declared twice` });
      seen.add(v.name);
    });
  });

/** Values as given (a webhook's issue number may be a number): each becomes its text. */
export const variableValues = z
  .record(z.string().max(64), z.union([z.string(), z.number(), z.boolean()]).transform(String))
  .default({});
export type VariableValues = Record<string, string>;

/** The placeholder names the text uses, each once, in order of first use. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** Issues for placeholders in `text` that the declarations do not declare (at `path`). */
export function undeclaredPlaceholders(text: string, declared: readonly VariableDeclaration[], path: string): FieldIssue[] {
  const names = new Set(declared.map((d) => d.name));
  return placeholdersIn(text)
    .filter((n) => !names.has(n))
    .map((n) => ({ path, message: `uses {{${n}}}, which is not a declared variable` }));
}

/**
 * The values every declared variable gets: given ones, else defaults, else "". Refuses (400,
 * naming each at `variables.<name>`) a value for a variable the template does not declare, a
 * missing required one, and one too long.
 */
export function resolveValues(declared: readonly VariableDeclaration[], given: VariableValues): VariableValues {
  const issues: FieldIssue[] = [];
  const byName = new Map(declared.map((d) => [d.name, d]));
  for (const [name, value] of Object.entries(given)) {
    if (!byName.has(name)) issues.push({ path: `variables.${name}`, message: "is not a variable of this template" });
    else if (value.length > MAX_VALUE_LENGTH) issues.push({ path: `variables.${name}`, message: `is longer than ${MAX_VALUE_LENGTH} characters` });
  }
  const values: VariableValues = {};
  for (const d of declared) {
    const value = Object.hasOwn(given, d.name) ? given[d.name]! : d.default;
    if (d.required && (value === undefined || value.trim() === "")) {
      issues.push({ path: `variables.${d.name}`, message: "is required" });
    }
    values[d.name] = value ?? "";
  }
  if (issues.length > 0) throw new AppError("invalid_request", issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues);
  return values;
}

/** The text with each declared placeholder replaced by its value, in one pass. */
export function renderText(text: string, values: VariableValues): string {
  // A replacer function: its result is inserted as is (no `$&` patterns), and the output is
  // never scanned again.
  return text.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}
