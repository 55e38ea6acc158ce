"use client";

import { useEffect, useRef, useState } from "react";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { buttonClass } from "../ui/styles";

/**
 * Cancel in two steps: the first click only asks ("Cancel this run?"), the second, on the
 * confirm button that then has the focus, asks the server to cancel; "Keep running" or Escape
 * steps back. The feed shows when the run has stopped.
 */
export function CancelButton({ runId, action }: { runId: string; action: FormAction<null> }) {
  const { onSubmit, pending, error, result } = useFormAction(action);
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const askRef = useRef<HTMLButtonElement>(null);
  const requested = result?.ok === true;
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  const stepBack = () => {
    setConfirming(false);
    // Back on the button that opened the question, for keyboard users.
    requestAnimationFrame(() => askRef.current?.focus());
  };

  return (
    <form onSubmit={onSubmit} className="flex flex-col items-end gap-1" data-testid="cancel-form">
      <input type="hidden" name="id" value={runId} />
      {confirming && !requested ? (
        <div
          role="group"
          aria-labelledby={`cancel-question-${runId}`}
          className="flex flex-wrap items-center justify-end gap-2"
          onKeyDown={(e) => {
            if (e.key === "Escape") stepBack();
          }}
        >
          <span id={`cancel-question-${runId}`} className="text-sm text-zinc-300">
            Cancel this run? It stops now; you can retry it later.
          </span>
          <button ref={confirmRef} type="submit" disabled={pending} className={buttonClass("danger", "sm")}>
            {pending ? "Cancelling…" : "Yes, cancel run"}
          </button>
          <button type="button" disabled={pending} onClick={stepBack} className={buttonClass("secondary", "sm")}>
            Keep running
          </button>
        </div>
      ) : (
        <button ref={askRef} type="button" disabled={requested} onClick={() => setConfirming(true)} className={buttonClass("danger", "sm")}>
          {requested ? "Cancel requested" : "Cancel run"}
        </button>
      )}
      {error && <p role="alert" className="max-w-xs text-right text-xs text-red-300">{error}</p>}
    </form>
  );
}
