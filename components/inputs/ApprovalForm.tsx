"use client";

import { useState } from "react";
import { inputClass, buttonClass } from "../ui/styles";
import { commandOf, editedInputFrom, inputText } from "./requestInput";
import type { InputRequest } from "./types";
import type { useAnswerAction } from "./useAnswerAction";

type Answering = ReturnType<typeof useAnswerAction>;

/** Approve, deny with a note, or edit the input and approve that instead; optionally remembered for the run. */
export function ApprovalForm({ request, answering }: { request: InputRequest; answering: Answering }) {
  const [editing, setEditing] = useState(false);
  const [edited, setEdited] = useState(() => inputText(request.input));
  const [editError, setEditError] = useState<string | null>(null);
  const { send, pending, error, fieldErrors } = answering;
  const ids = `${request.runId}-${request.requestId}`;

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    if (submitter?.value !== "approve-edited") return send(event);
    try {
      const editedInput = editedInputFrom(request.input, edited);
      setEditError(null);
      send(event, { decision: "approve", editedInput: JSON.stringify(editedInput) });
    } catch (err) {
      event.preventDefault();
      setEditError((err as Error).message);
    }
  };

  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label="Answer the approval request">
      <input type="hidden" name="runId" value={request.runId} />
      <input type="hidden" name="requestId" value={request.requestId} />
      {editing && request.input !== undefined && (
        <div className="space-y-1.5">
          <label htmlFor={`edit-${ids}`} className="block text-xs font-medium text-zinc-300">
            Edited {commandOf(request.input) !== null ? "command" : "input (JSON)"}
          </label>
          <textarea
            id={`edit-${ids}`}
            data-edit-input
            value={edited}
            onChange={(e) => setEdited(e.target.value)}
            rows={Math.min(12, Math.max(2, edited.split("\n").length))}
            className={inputClass(Boolean(editError ?? fieldErrors.editedInput), true)}
          />
          {(editError ?? fieldErrors.editedInput) && <p role="alert" className="text-xs text-red-400">{editError ?? fieldErrors.editedInput}</p>}
        </div>
      )}
      <div className="space-y-1.5">
        <label htmlFor={`note-${ids}`} className="block text-xs font-medium text-zinc-300">
          Note for the agent <span className="font-normal text-zinc-500">(optional; say why when you deny)</span>
        </label>
        <textarea id={`note-${ids}`} name="note" rows={2} className={inputClass(Boolean(fieldErrors.note))} />
      </div>
      {/* Only a tool call can be approved again later; a limit question ("continue?") cannot. */}
      {request.tool !== undefined && (
        <label className="flex items-start gap-2 text-sm text-zinc-300">
          <input type="checkbox" name="remember" className="mt-0.5 h-4 w-4 accent-indigo-500" />
          <span>Remember for this run <span className="text-zinc-500">(approve the same again without asking)</span></span>
        </label>
      )}
      <div className="flex flex-wrap gap-2">
        {editing ? (
          <>
            <button type="submit" name="decision" value="approve-edited" disabled={pending} className={buttonClass("primary")}>
              Approve edited
            </button>
            <button type="button" onClick={() => setEditing(false)} disabled={pending} className={buttonClass("ghost")}>
              Cancel edit
            </button>
          </>
        ) : (
          <button type="submit" name="decision" value="approve" disabled={pending} className={buttonClass("primary")}>
            Approve
          </button>
        )}
        <button type="submit" name="decision" value="deny" disabled={pending} className={buttonClass("danger")}>
          Deny
        </button>
        {!editing && request.input !== undefined && (
          <button type="button" onClick={() => setEditing(true)} disabled={pending} className={buttonClass("secondary")}>
            Edit, then approve
          </button>
        )}
      </div>
      {pending && <p className="text-xs text-zinc-400">Sending…</p>}
      {error && (
        <p role="alert" data-form-error className="text-sm text-red-300">
          {error}
        </p>
      )}
    </form>
  );
}
