import type { RunEventOf } from "@/lib/events";

export type InputRequest = Pick<RunEventOf<"input.requested">, "requestId" | "kind" | "tool" | "input" | "question" | "reasons"> & {
  runId: string;
  at: string;
};

/** How a request was answered, from an `input.resolved` event or the answer just given. */
export type InputOutcome = {
  decision?: "approve" | "deny" | null;
  answer?: string | null;
  note?: string | null;
  editedInput?: unknown;
  remember?: boolean;
  by: string;
  at: string;
};
