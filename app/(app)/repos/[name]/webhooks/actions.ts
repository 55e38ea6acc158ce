"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/http/action";
import {
  createInboundInput,
  createInboundWebhook,
  deleteInboundWebhook,
  rotateInboundSecret,
  updateInboundWebhook,
} from "@/lib/services/inboundWebhooks";

// The form's fields as the API's body (field errors then name the API's paths): empty rule
// fields are left out by the form wrapper.
const createFields = createInboundInput.extend({ repo: z.string().min(1) });
const createForm = z
  .object({ repo: z.string().default(""), templateId: z.string().default(""), issueLabel: z.string().optional(), mention: z.string().optional(), direct: z.literal("on").optional() })
  .transform(
    ({ repo, templateId, issueLabel, mention, direct }): z.input<typeof createFields> => ({
      repo,
      templateId,
      rules: { issueLabel: issueLabel ?? null, mention: mention ?? null, direct: direct === "on" },
    }),
  )
  .pipe(createFields);

export const createInboundAction = authedAction(createForm, async (principal, { repo, ...body }, app) => {
  const made = await createInboundWebhook(app, principal, repo, body);
  refresh();
  return { secret: made.secret, url: made.url };
});

const byId = z.object({ repo: z.string().min(1), id: z.string().min(1) });

export const rotateInboundAction = authedAction(byId, async (principal, { repo, id }, app) => rotateInboundSecret(app, principal, repo, id));

export const toggleInboundAction = authedAction(byId.extend({ enabled: z.enum(["true", "false"]) }), async (principal, { repo, id, enabled }, app) => {
  await updateInboundWebhook(app, principal, repo, id, { enabled: enabled === "true" });
  refresh();
  return null;
});

export const deleteInboundAction = authedAction(byId, async (principal, { repo, id }, app) => {
  await deleteInboundWebhook(app, principal, repo, id);
  refresh();
  return null;
});
