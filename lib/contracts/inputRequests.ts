import { z } from "zod";

/**
 * An input request (an approval the agent asks for, or a question it puts to a person) as
 * one record: the `input_request` table, written only by the projection of `input.requested`
 * and `input.resolved` events (and closed when its run stops waiting). The inbox, the run
 * page, the API and the answer route read this record; Redis only arbitrates the answer
 * (first one wins) and wakes the waiting run (lib/inputArbiter.ts).
 */

/**
 * approval: a tool call (or a run limit) waits for the run's owner; question: the agent asks
 * them; budget: the run's next turn would cross its team's or user's monthly spending limit
 * (lib/contracts/budgets.ts), and a team admin raises the limit or stops the run.
 */
export const inputKinds = ["approval", "question", "budget"] as const;
export type InputKind = (typeof inputKinds)[number];

/**
 * pending: nobody answered yet; answered: a person did; timed_out: nobody did in time (the
 * agent was told "denied"); cancelled: the run stopped waiting (cancelled, failed, ended).
 */
export const inputRequestStatuses = ["pending", "answered", "timed_out", "cancelled"] as const;
export type InputRequestStatus = (typeof inputRequestStatuses)[number];

export const inputDecisions = ["approve", "deny"] as const;

/** Who answered: the person's account (null once deleted) and their email as it was then. */
export const inputAnswerer = z.object({ userId: z.string().nullable(), email: z.string() });

/** The record as the API shows it (GET /api/inputs, GET /api/runs/:id, the answer route). */
export const inputRequestView = z.object({
  runId: z.string(),
  requestId: z.string(),
  kind: z.enum(inputKinds),
  status: z.enum(inputRequestStatuses),
  tool: z.string().nullable(),
  input: z.unknown(),
  question: z.string().nullable(),
  reasons: z.array(z.string()),
  requestedAt: z.iso.datetime(),
  deadline: z.iso.datetime().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  decision: z.enum(inputDecisions).nullable(),
  answer: z.string().nullable(),
  note: z.string().nullable(),
  editedInput: z.unknown(),
  remember: z.boolean(),
  by: inputAnswerer.nullable(),
});
export type InputRequestView = z.infer<typeof inputRequestView>;

/** The `by` of an `input.resolved` that no person gave: the job's timeout. */
export const TIMEOUT_ANSWERER = "timeout";

/** What an `input.resolved` makes of the request: a person's answer, or the timeout's denial. */
export function statusOfResolution(by: string): Extract<InputRequestStatus, "answered" | "timed_out"> {
  return by === TIMEOUT_ANSWERER ? "timed_out" : "answered";
}

/** Whether anyone can still answer the request. */
export const isOpen = (status: InputRequestStatus): boolean => status === "pending";
