"use server";

import { refresh } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { authedAction } from "@/lib/http/action";
import { idempotencyKeyOf } from "@/lib/services/idempotency";
import { createTemplate, createTemplateInput, deleteTemplate, startRunFromTemplate, updateTemplate } from "@/lib/services/templates";

// The editor posts the variables as one JSON field (components/templates/VariablesEditor.tsx).
const fromJson = (v: unknown) => {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};
const templateForm = z.preprocess(
  (v) => (v && typeof v === "object" ? { ...v, variables: fromJson((v as { variables?: unknown }).variables ?? "[]") } : v),
  createTemplateInput.and(z.object({ templateId: z.string().optional() })),
);

// A form leaves an emptied optional field out: saved over a template, it is cleared, not kept.
const OPTIONAL_RUN_FIELDS = ["baseBranch", "acpAgent", "command", "model", "budgetUsd"] as const;

export const saveTemplateAction = authedAction(templateForm, async (principal, form, app) => {
  const { templateId, ...input } = form;
  if (templateId) {
    const cleared = Object.fromEntries(OPTIONAL_RUN_FIELDS.filter((k) => input[k] === undefined).map((k) => [k, null]));
    await updateTemplate(app, principal, templateId, { ...input, ...cleared });
  } else {
    await createTemplate(app, principal, input);
  }
  redirect("/templates");
});

export const deleteTemplateAction = authedAction(z.object({ id: z.string() }), async (principal, { id }, app) => {
  await deleteTemplate(app, principal, id);
  refresh();
  return null;
});

// The variables come as `var.<name>` fields (components/templates/TemplateRunForm.tsx); an empty
// one is left out, so its default applies.
const startForm = z.object({ templateId: z.string(), idempotencyKey: z.string().optional() }).catchall(z.string());
const VAR_PREFIX = "var.";

export const startFromTemplateAction = authedAction(startForm, async (principal, form, app) => {
  const variables = Object.fromEntries(
    Object.entries(form)
      .filter(([k]) => k.startsWith(VAR_PREFIX))
      .map(([k, v]) => [k.slice(VAR_PREFIX.length), v]),
  );
  const idempotencyKey = idempotencyKeyOf(form.idempotencyKey, "idempotencyKey");
  let runId: string;
  try {
    ({ run: { id: runId } } = await startRunFromTemplate(app, principal, form.templateId, variables, { idempotencyKey, keyField: "idempotencyKey" }));
  } catch (err) {
    if (err instanceof AppError && err.issues?.some((i) => i.path === "idempotencyKey")) {
      throw new AppError(err.code, "This form was already used to start a run with other values; reload the page to start a new one");
    }
    // The form's fields are named var.<name>: point each variable's error at its input.
    if (err instanceof AppError && err.issues) {
      throw new AppError(err.code, err.message, err.issues.map((i) => ({ ...i, path: i.path.replace(/^variables\./, VAR_PREFIX) })));
    }
    throw err;
  }
  redirect(`/runs/${runId}`);
});
