"use client";

import { buttonClass, inputClass } from "../ui/styles";
import type { InputRequest } from "./types";
import type { useAnswerAction } from "./useAnswerAction";

/** A question's answer: free text, which becomes the agent's tool result. */
export function QuestionForm({ request, answering }: { request: InputRequest; answering: ReturnType<typeof useAnswerAction> }) {
  const { send, pending, error, fieldErrors } = answering;
  const id = `answer-${request.runId}-${request.requestId}`;
  return (
    <form onSubmit={(e) => send(e)} className="space-y-2" aria-label="Answer the question">
      <input type="hidden" name="runId" value={request.runId} />
      <input type="hidden" name="requestId" value={request.requestId} />
      <label htmlFor={id} className="block text-xs font-medium text-zinc-300">
        Your answer
      </label>
      <textarea id={id} name="answer" rows={3} required className={inputClass(Boolean(fieldErrors.answer))} />
      <button type="submit" disabled={pending} className={buttonClass("primary")}>
        {pending ? "Sending…" : "Send answer"}
      </button>
      {(error ?? fieldErrors.answer) && (
        <p role="alert" data-form-error className="text-sm text-red-300">
          {fieldErrors.answer ? `Answer ${fieldErrors.answer}` : error}
        </p>
      )}
    </form>
  );
}
