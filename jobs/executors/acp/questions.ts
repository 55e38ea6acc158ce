import type { CreateElicitationRequest, CreateElicitationResponse, ElicitationContentValue, ElicitationPropertySchema, EnumOption } from "@agentclientprotocol/sdk/unstable";
import type { RequestInput } from "../types";

type Field = { key: string; schema: ElicitationPropertySchema; options: EnumOption[]; multiple: boolean };

const text = (s: string | null | undefined) => (s && s.trim() ? s.trim() : undefined);

function optionsOf(schema: ElicitationPropertySchema): { options: EnumOption[]; multiple: boolean } {
  const s = schema as Record<string, unknown>;
  const titled = (list: unknown) => (Array.isArray(list) ? (list as EnumOption[]).filter((o) => typeof o?.const === "string") : []);
  const plain = (list: unknown) => (Array.isArray(list) ? list.filter((v): v is string => typeof v === "string").map((v) => ({ const: v, title: v })) : []);
  if (schema.type === "array") {
    const items = (s.items ?? {}) as Record<string, unknown>;
    return { options: [...titled(items.anyOf), ...plain(items.enum)], multiple: true };
  }
  return { options: [...titled(s.oneOf), ...plain(s.enum)], multiple: false };
}

/** The question a person reads for one field of the form. */
function questionFor(message: string, field: Field, single: boolean): string {
  const s = field.schema as { title?: string | null; description?: string | null };
  const lines = [single ? message : `${message}\n\n${text(s.title) ?? field.key}`];
  if (!single || text(s.description)) {
    const description = text(s.description);
    if (description && description !== message) lines.push(description);
  }
  if (field.options.length > 0) {
    lines.push(
      (field.multiple ? "Choose any of (separate with commas):" : "Choose one of:") +
        "\n" +
        field.options.map((o) => `- ${o.title}${o.description ? `: ${o.description}` : ""}`).join("\n") +
        "\nor answer in your own words.",
    );
  }
  return lines.join("\n\n");
}

const matchOption = (options: EnumOption[], answer: string) => {
  const wanted = answer.trim().toLowerCase();
  return options.find((o) => o.const.toLowerCase() === wanted || o.title.toLowerCase() === wanted);
};

/** One answer as the field's value; `other` receives free text that no option matches, when the form has a place for it. */
function valueFor(field: Field, answer: string): { value?: ElicitationContentValue; other?: string } {
  const trimmed = answer.trim();
  switch (field.schema.type) {
    case "boolean":
      if (/^(y|yes|true|ok|1)$/i.test(trimmed)) return { value: true };
      if (/^(n|no|false|0)$/i.test(trimmed)) return { value: false };
      return { other: trimmed };
    case "number":
    case "integer": {
      const n = Number(trimmed);
      return Number.isFinite(n) && trimmed !== "" ? { value: field.schema.type === "integer" ? Math.trunc(n) : n } : { other: trimmed };
    }
    case "array": {
      const parts = trimmed.split(",").map((p) => p.trim()).filter(Boolean);
      const picked = parts.map((p) => matchOption(field.options, p)?.const).filter((c): c is string => c !== undefined);
      const rest = parts.filter((p) => !matchOption(field.options, p));
      return { value: picked, ...(rest.length ? { other: rest.join(", ") } : {}) };
    }
    default: {
      if (field.options.length === 0) return { value: trimmed };
      const option = matchOption(field.options, trimmed);
      return option ? { value: option.const } : { other: trimmed };
    }
  }
}

/**
 * An agent's form elicitation (claude-agent-acp renders Claude Code's AskUserQuestion as one)
 * as the run's question form, one question per field: the options are listed and the person
 * answers in words. An answer that matches an option picks it; other words go into the
 * field's free-text companion (`<field>_custom`, claude-agent-acp's "Other") when the form has
 * one, else into the field itself for the agent to read. A question that times out declines
 * the form. URL elicitations cannot be shown here: declined.
 */
export async function answerElicitation(params: CreateElicitationRequest, ask: RequestInput, requestIdBase: string): Promise<CreateElicitationResponse> {
  if (params.mode !== "form" || !("requestedSchema" in params)) return { action: "decline" };
  const properties = (params.requestedSchema as { properties?: Record<string, ElicitationPropertySchema> }).properties ?? {};
  const keys = Object.keys(properties);
  const companion = (key: string) => (keys.includes(`${key}_custom`) ? `${key}_custom` : undefined);
  const companions = new Set(keys.map(companion).filter((k): k is string => k !== undefined));
  const fields: Field[] = keys
    .filter((key) => !companions.has(key))
    .map((key) => ({ key, schema: properties[key]!, ...optionsOf(properties[key]!) }));
  const message = text((params as { message?: string }).message) ?? "The agent asks:";
  const content: Record<string, ElicitationContentValue> = {};
  for (const field of fields) {
    const reply = await ask({
      requestId: `${requestIdBase}-${field.key}`.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, 200),
      kind: "question",
      tool: "question",
      question: questionFor(message, field, fields.length === 1),
    });
    if (!("answer" in reply)) return { action: "decline" };
    const { value, other } = valueFor(field, reply.answer);
    if (value !== undefined && !(Array.isArray(value) && value.length === 0 && other !== undefined)) content[field.key] = value;
    if (other !== undefined) {
      const slot = companion(field.key);
      if (slot) content[slot] = other;
      else content[field.key] = field.multiple ? [other] : other;
    }
  }
  return { action: "accept", content };
}
