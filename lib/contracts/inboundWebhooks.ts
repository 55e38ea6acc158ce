import { z } from "zod";

/**
 * What an incoming webhook (inbound_webhook) starts a run on, and what a matching delivery
 * passes to the run template as variables. Stored as jsonb and validated again when read.
 *
 * - `issueLabel`: GitHub's `issues` event, action `labeled`, with this label (any case);
 * - `mention`: GitHub's `issue_comment` event, action `created`, whose text mentions it
 *   (`@agentdesk`, a whole word, any case), not written by a bot (a run's own comments must not
 *   start runs);
 * - `direct`: our own signed call (`AgentDesk-Event: run`) with `{ variables }` in its body.
 */
export const inboundRules = z
  .object({
    issueLabel: z.string().trim().min(1).max(100).nullable().default(null),
    mention: z
      .string()
      .trim()
      .regex(/^@[A-Za-z0-9][A-Za-z0-9_.-]{0,38}$/, "must be @ and a name, e.g. @agentdesk")
      .nullable()
      .default(null),
    direct: z.boolean().default(false),
  })
  .refine((r) => r.issueLabel !== null || r.mention !== null || r.direct, "choose at least one thing that starts a run (a label, a mention, or direct calls)");
export type InboundRules = z.infer<typeof inboundRules>;

/** The variables a delivery gives its template (those the template declares are passed). */
export const inboundVariableNames = ["issue.title", "issue.body", "issue.number", "issue.url", "comment.body", "repository", "sender"] as const;

/** Outcomes of a delivery, as its log shows them. */
export const inboundOutcomes = ["received", "started", "ignored", "failed"] as const;
export type InboundOutcome = (typeof inboundOutcomes)[number];

/** The delivery header of our own format (GitHub's is X-GitHub-Delivery). */
export const INBOUND_DELIVERY_HEADER = "agentdesk-delivery";
export const INBOUND_EVENT_HEADER = "agentdesk-event";
/** The largest body read; a bigger one is refused before it is verified (GitHub's issue payloads are far smaller). */
export const INBOUND_MAX_BYTES = 512 * 1024;
