"use client";

import { startTransition, useActionState } from "react";
import type { ActionResult } from "@/lib/http/action";
import type { InputDecisionView } from "@/lib/services/inputs";
import { answerInputAction } from "./actions";

/**
 * Sends an answer form through the server action. Unlike useFormAction, the button that was
 * pressed counts (Approve and Deny are two submit buttons of one form), and fields the card
 * computes (the edited input as JSON) are added before sending.
 */
export function useAnswerAction() {
  const [result, dispatch, pending] = useActionState<ActionResult<InputDecisionView>, FormData>(answerInputAction, null);
  const send = (event: React.FormEvent<HTMLFormElement>, extra: Record<string, string> = {}) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
    for (const [key, value] of Object.entries(extra)) form.set(key, value);
    startTransition(() => dispatch(form));
  };
  return {
    send,
    pending,
    answered: result?.ok ? result.data : null,
    error: result && !result.ok ? result.error : null,
    fieldErrors: result && !result.ok ? (result.fieldErrors ?? {}) : {},
  };
}
